package dev.idempo.jdbc;

/** The PostgreSQL store with group commit turned on passes the contract too. */
class PostgresGroupCommitStoreContractTest extends PostgresStoreContractTest {
  @Override
  protected boolean groupCommit() {
    return true;
  }
}
