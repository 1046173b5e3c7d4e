import { describeLedgerStoreContract } from './ledger-store-contract.ts'
import { postgresHarness } from './postgres-harness.ts'

describeLedgerStoreContract(postgresHarness)
