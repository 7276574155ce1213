/**
 * Idempo on Redis: {@link dev.idempo.redis.RedisIdempotencyStore}, the store on Lettuce whose every
 * transition is one Lua script. The Redis client ({@code lettuce.core}, an automatic module named
 * by its manifest) is the application's to configure.
 */
// Lettuce is an automatic module, named by its manifest's Automatic-Module-Name; its RedisClient
// is part of this module's API (RedisIdempotencyStore.builder), hence transitive.
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module dev.idempo.redis {
  requires transitive dev.idempo.core;
  requires transitive lettuce.core;

  exports dev.idempo.redis;
}
