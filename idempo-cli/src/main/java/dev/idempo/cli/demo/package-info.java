/**
 * The double-charge demo: a deliberately naive payments service under lossy, duplicating and
 * double-clicking clients, straight and through the gateway, counted from the service's ledger.
 */
package dev.idempo.cli.demo;
