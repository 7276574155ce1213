package dev.idempo;

/** The store calls {@link IdempotencyListener#onStoreCall} reports. */
public enum StoreCall {
  CLAIM,
  COMPLETE,
  RELEASE,
  RENEW,
  CHECKPOINT,
  /** Undoing a claim whose answer was lost, by its token, in the background. */
  ABANDON
}
