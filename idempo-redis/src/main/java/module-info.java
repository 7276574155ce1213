/**
 * Idempo on Redis: {@link dev.idempo.redis.RedisIdempotencyStore}, the store on Lettuce whose
 * every transition is one Lua script. The Redis client ({@code lettuce.core}, an automatic module
 * named by its manifest) is the application's to configure.
 */
module dev.idempo.redis {
  requires transitive dev.idempo.core;
  requires transitive lettuce.core;

  exports dev.idempo.redis;
}
