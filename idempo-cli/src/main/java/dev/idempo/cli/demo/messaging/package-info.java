/**
 * The messaging demo: an order service, an outbox relay and a payments consumer on a real Kafka
 * broker started in this process, run twice under the same seeded faults (a service dying between
 * commit and publish, lost acks, a relay killed before marking, a consumer killed before its offset
 * commit), naive and with Idempo, counted from the payments ledger.
 */
package dev.idempo.cli.demo.messaging;
