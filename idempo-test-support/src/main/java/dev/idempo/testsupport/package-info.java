/**
 * Real servers for tests, on random loopback ports: PostgreSQL, Redis (standalone and a six-node
 * cluster), RabbitMQ and a KRaft Kafka broker, installed with {@code apt-get} when missing and
 * stopped with the JVM; and {@link dev.idempo.testsupport.CompiledModule}, which reads a module's
 * compiled descriptor for the tests that pin it.
 */
package dev.idempo.testsupport;
