import { describeLedgerStoreContract } from './ledger-store-contract.ts'
import { describeSigningContract } from './signing-contract.ts'
import { sqliteHarness } from './sqlite-harness.ts'

describeLedgerStoreContract(sqliteHarness)
describeSigningContract(sqliteHarness)
