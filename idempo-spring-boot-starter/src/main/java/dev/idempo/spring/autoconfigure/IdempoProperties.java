package dev.idempo.spring.autoconfigure;

import dev.idempo.TakeoverPolicy;
import dev.idempo.http.RequestFingerprinter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * The {@code idempo.*} properties. Every value is checked when the application starts; a bad one
 * fails the start-up with a message naming the property.
 */
// Spring Boot binds these classes through their no-argument constructors; no constructor has more
// to say than the defaults on the fields.
@SuppressWarnings("missing-explicit-ctor")
@ConfigurationProperties(prefix = "idempo")
public class IdempoProperties {
  /** Whether the starter configures anything at all. */
  private boolean enabled = true;

  /**
   * Base of the problem type URIs (RFC 9457), e.g. https://api.example.com/problems/; by default
   * urn:idempo:problem:.
   */
  private String problemBase = "urn:idempo:problem:";

  /**
   * Where the problems are documented; when set, every problem carries a Link header with
   * rel="describedby" to this base plus the problem's slug.
   */
  private String documentationBase;

  /** Largest request body read and fingerprinted on a guarded route; larger ones get 413. */
  private DataSize maxRequestBodySize = DataSize.ofMegabytes(1);

  /** Largest response body stored for replay. */
  private DataSize maxResponseBodySize = DataSize.ofMegabytes(1);

  /**
   * Response headers stored and replayed besides the default allow-list (Content-Type,
   * Content-Location, Location, ETag, Last-Modified, Link, Cache-Control).
   */
  private List<String> storedHeaders = new ArrayList<>();

  private final Store store = new Store();
  private final Defaults defaults = new Defaults();
  private final Tenant tenant = new Tenant();
  private final Encryption encryption = new Encryption();
  private final Filter filter = new Filter();
  private final Metrics metrics = new Metrics();

  public boolean isEnabled() {
    return enabled;
  }

  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  public String getProblemBase() {
    return problemBase;
  }

  public void setProblemBase(String problemBase) {
    this.problemBase = problemBase;
  }

  public String getDocumentationBase() {
    return documentationBase;
  }

  public void setDocumentationBase(String documentationBase) {
    this.documentationBase = documentationBase;
  }

  public DataSize getMaxRequestBodySize() {
    return maxRequestBodySize;
  }

  public void setMaxRequestBodySize(DataSize maxRequestBodySize) {
    this.maxRequestBodySize = maxRequestBodySize;
  }

  public DataSize getMaxResponseBodySize() {
    return maxResponseBodySize;
  }

  public void setMaxResponseBodySize(DataSize maxResponseBodySize) {
    this.maxResponseBodySize = maxResponseBodySize;
  }

  public List<String> getStoredHeaders() {
    return storedHeaders;
  }

  public void setStoredHeaders(List<String> storedHeaders) {
    this.storedHeaders = storedHeaders;
  }

  public Store getStore() {
    return store;
  }

  public Defaults getDefaults() {
    return defaults;
  }

  public Tenant getTenant() {
    return tenant;
  }

  public Encryption getEncryption() {
    return encryption;
  }

  public Filter getFilter() {
    return filter;
  }

  public Metrics getMetrics() {
    return metrics;
  }

  /** Which store keeps the keys. */
  public enum StoreType {
    /** In this process's memory: lost at restart, not shared between instances. */
    MEMORY,
    /** The application's DataSource (PostgreSQL or SQLite; the dialect is detected). */
    JDBC,
    /**
     * Redis, through the application's Lettuce RedisClient or LettuceConnectionFactory, or
     * idempo.store.redis.uri.
     */
    REDIS
  }

  /** {@code idempo.store.*}. */
  public static class Store {
    /**
     * Where keys and stored responses live: memory (one process, lost at restart), jdbc (the
     * application's DataSource) or redis.
     */
    private StoreType type = StoreType.MEMORY;

    /**
     * How often expired records are deleted (they already behave as absent); each run deletes
     * batches until none comes back full. 0 turns purging off.
     */
    private Duration purgeInterval = Duration.ofMinutes(1);

    /** The most expired records one purge statement deletes, 1 to 100,000. */
    private int purgeBatchSize = 1_000;

    private final Memory memory = new Memory();
    private final Jdbc jdbc = new Jdbc();
    private final Redis redis = new Redis();

    public StoreType getType() {
      return type;
    }

    public void setType(StoreType type) {
      this.type = type;
    }

    public Duration getPurgeInterval() {
      return purgeInterval;
    }

    public void setPurgeInterval(Duration purgeInterval) {
      this.purgeInterval = purgeInterval;
    }

    public int getPurgeBatchSize() {
      return purgeBatchSize;
    }

    public void setPurgeBatchSize(int purgeBatchSize) {
      this.purgeBatchSize = purgeBatchSize;
    }

    public Memory getMemory() {
      return memory;
    }

    public Jdbc getJdbc() {
      return jdbc;
    }

    public Redis getRedis() {
      return redis;
    }
  }

  /** {@code idempo.store.memory.*}. */
  public static class Memory {
    /** Most records kept in memory; claims beyond it are refused (503) until records expire. */
    private int maxRecords = 100_000;

    public int getMaxRecords() {
      return maxRecords;
    }

    public void setMaxRecords(int maxRecords) {
      this.maxRecords = maxRecords;
    }
  }

  /** {@code idempo.store.jdbc.*}. */
  public static class Jdbc {
    /** Prefix of the table names (idempo_records, ...). */
    private String tablePrefix = "idempo_";

    /** Whether the tables are created or upgraded at start-up (idempotent migrations). */
    private boolean migrateSchema = true;

    public String getTablePrefix() {
      return tablePrefix;
    }

    public void setTablePrefix(String tablePrefix) {
      this.tablePrefix = tablePrefix;
    }

    public boolean isMigrateSchema() {
      return migrateSchema;
    }

    public void setMigrateSchema(boolean migrateSchema) {
      this.migrateSchema = migrateSchema;
    }
  }

  /** {@code idempo.store.redis.*}. */
  public static class Redis {
    /**
     * Redis URI (redis://host:6379) for a client of Idempo's own; when unset, the application's
     * RedisClient or LettuceConnectionFactory bean is used.
     */
    private String uri;

    /**
     * Seed nodes of a Redis Cluster (host:port or redis://host:port, any few of its nodes) for a
     * cluster client of Idempo's own; exclusive with uri. When neither is set, the application's
     * RedisClient, RedisClusterClient or LettuceConnectionFactory bean is used.
     */
    private List<String> clusterNodes = new ArrayList<>();

    /** Prefix of every Redis key the store writes. */
    private String keyPrefix = "idempo:";

    /** How long one Redis command may take before the store reports itself unavailable (503). */
    private Duration commandTimeout = Duration.ofSeconds(2);

    public String getUri() {
      return uri;
    }

    public void setUri(String uri) {
      this.uri = uri;
    }

    public List<String> getClusterNodes() {
      return clusterNodes;
    }

    public void setClusterNodes(List<String> clusterNodes) {
      this.clusterNodes = clusterNodes;
    }

    public String getKeyPrefix() {
      return keyPrefix;
    }

    public void setKeyPrefix(String keyPrefix) {
      this.keyPrefix = keyPrefix;
    }

    public Duration getCommandTimeout() {
      return commandTimeout;
    }

    public void setCommandTimeout(Duration commandTimeout) {
      this.commandTimeout = commandTimeout;
    }
  }

  /**
   * {@code idempo.defaults.*}: what an {@code @Idempotent} handler gets unless it says otherwise.
   */
  public static class Defaults {
    /** How long a claim is protected while the handler runs; renewed every third of it. */
    private Duration lease = Duration.ofSeconds(30);

    /** How long a stored response is replayed. */
    private Duration retention = Duration.ofHours(24);

    /** How long a duplicate waits for the first request to finish before 409; 0 answers at once. */
    private Duration waitForInFlight = Duration.ZERO;

    /**
     * What a retry gets after the first request's handler stopped without an answer: fail-closed
     * (502 outcome-unknown) or reexecute.
     */
    private TakeoverPolicy takeover = TakeoverPolicy.FAIL_CLOSED;

    /**
     * How requests are compared: raw-body, or canonical-json (ignores JSON whitespace and member
     * order).
     */
    private RequestFingerprinter fingerprint = RequestFingerprinter.RAW_BODY;

    /** Response statuses that release the key (not stored), so a retry runs again. */
    private List<Integer> releasedStatuses = new ArrayList<>(List.of(408, 425, 429, 503));

    public Duration getLease() {
      return lease;
    }

    public void setLease(Duration lease) {
      this.lease = lease;
    }

    public Duration getRetention() {
      return retention;
    }

    public void setRetention(Duration retention) {
      this.retention = retention;
    }

    public Duration getWaitForInFlight() {
      return waitForInFlight;
    }

    public void setWaitForInFlight(Duration waitForInFlight) {
      this.waitForInFlight = waitForInFlight;
    }

    public TakeoverPolicy getTakeover() {
      return takeover;
    }

    public void setTakeover(TakeoverPolicy takeover) {
      this.takeover = takeover;
    }

    public RequestFingerprinter getFingerprint() {
      return fingerprint;
    }

    public void setFingerprint(RequestFingerprinter fingerprint) {
      this.fingerprint = fingerprint;
    }

    public List<Integer> getReleasedStatuses() {
      return releasedStatuses;
    }

    public void setReleasedStatuses(List<Integer> releasedStatuses) {
      this.releasedStatuses = releasedStatuses;
    }
  }

  /** {@code idempo.tenant.*}; a {@code TenantSource} bean replaces both. */
  public static class Tenant {
    /**
     * Whose key it is, so one caller's key never replays another caller's response: authorization
     * (a hash of the Authorization header; a rotated token is a new tenant), spring-security (the
     * authenticated principal's name: the choice with Spring Security), header:NAME (set by a
     * trusted authenticating proxy), cookie:NAME, jwt:CLAIM?jwks=URL[&amp;iss=…][&amp;aud=…] (a
     * verified JWT claim), tls-subject (the TLS client certificate's subject) or none (one key
     * space shared by every caller). A keyed request whose tenant cannot be determined is refused
     * with 400 tenant-required.
     */
    private String source = "authorization";

    /** The header naming the tenant, for source=header (the same as source=header:NAME). */
    private String header;

    public String getSource() {
      return source;
    }

    public void setSource(String source) {
      this.source = source;
    }

    public String getHeader() {
      return header;
    }

    public void setHeader(String header) {
      this.header = header;
    }
  }

  /** {@code idempo.encryption.*}: AES-256-GCM encryption of stored responses. */
  public static class Encryption {
    /**
     * The keys, oldest first: new records are encrypted with the last one, older records still
     * decrypt with theirs. None: stored responses are not encrypted.
     */
    private List<Key> keys = new ArrayList<>();

    public List<Key> getKeys() {
      return keys;
    }

    public void setKeys(List<Key> keys) {
      this.keys = keys;
    }
  }

  /** One encryption key. */
  public static class Key {
    /** The key's id, stored next to each ciphertext; 1 to 64 visible ASCII characters. */
    private String id;

    /** The AES-256 key: 32 bytes, base64-encoded. */
    private String secret;

    public String getId() {
      return id;
    }

    public void setId(String id) {
      this.id = id;
    }

    public String getSecret() {
      return secret;
    }

    public void setSecret(String secret) {
      this.secret = secret;
    }
  }

  /** {@code idempo.filter.*}. */
  public static class Filter {
    /**
     * Order of the servlet filter: after authentication (Spring Security's filter chain is at
     * -100), so a refused login is never stored and the principal is known.
     */
    private int order = 0;

    public int getOrder() {
      return order;
    }

    public void setOrder(int order) {
      this.order = order;
    }
  }

  /** {@code idempo.metrics.*}. */
  public static class Metrics {
    /** Whether idempo.requests and idempo.store.calls are recorded when a MeterRegistry exists. */
    private boolean enabled = true;

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }
  }
}
