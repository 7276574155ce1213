package dev.idempo.messaging;

/**
 * The handler of the claim form: an effect outside the database (an HTTP call, an email), run at
 * most once per message id under a leased claim.
 */
@FunctionalInterface
public interface EffectHandler {
  /**
   * Performs the message's effect.
   *
   * @throws Exception if it failed: counted, and delivered again or parked (see {@link
   *     ClaimingConsumer.Builder#unknownOutcomeIf} for failures after which the effect may have
   *     happened)
   */
  void handle(Message message) throws Exception;
}
