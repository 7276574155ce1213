package dev.idempo.store;

/** The state of a live record; see {@code docs/design.md}, "The record and its state machine". */
public enum RecordState {
  /** Claimed; the holder of the current fence is running the operation. */
  IN_PROGRESS,
  /** The operation finished and its response is stored for replay until retention ends. */
  COMPLETED
}
