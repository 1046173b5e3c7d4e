import { describeLedgerStoreContract } from './ledger-store-contract.ts'
import { sqliteHarness } from './sqlite-harness.ts'

describeLedgerStoreContract(sqliteHarness)
