package dev.idempo;

/** The store calls {@link IdempotencyListener#onStoreCall} reports. */
public enum StoreCall {
  CLAIM,
  COMPLETE,
  RELEASE,
  RENEW,
  CHECKPOINT
}
