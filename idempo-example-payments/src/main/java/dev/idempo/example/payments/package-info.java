/**
 * A payments API on the Spring Boot starter: one property and one annotation make {@code POST
 * /payments} safe to retry.
 */
package dev.idempo.example.payments;
