/**
 * The executor and its vocabulary: {@link dev.idempo.Idempotency} runs work at most once per {@link
 * dev.idempo.IdempotencyKey} within a {@link dev.idempo.Scope}, replays its stored result to every
 * retry with the same {@link dev.idempo.Fingerprint}, and names each way it can refuse with an
 * {@link dev.idempo.IdempotencyException}. {@link dev.idempo.Attempt} is the same flow for work
 * that cannot be a callback (servers, proxies). The design is in the repository's {@code
 * docs/design.md}.
 */
package dev.idempo;
