package dev.idempo.cli.demo.messaging;

/**
 * Thrown where the chaos kills a component mid-way. An {@link Error}, so that no {@code catch
 * (Exception e)} on the way turns the crash into an orderly failure: the transaction open at that
 * point is rolled back and the component's thread ends, as if its process had died.
 */
final class SimulatedCrash extends Error {
  private static final long serialVersionUID = 1L;

  SimulatedCrash(String message) {
    super(message, null, false, false);
  }
}
