package dev.idempo.spring.autoconfigure;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.idempo.ResultCodec;
import dev.idempo.http.CapturedResponse;
import dev.idempo.http.CapturedResponseCodec;
import dev.idempo.http.StoredResponseUnreadableException;
import dev.idempo.store.StorageKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.springframework.core.ResolvableType;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;

/**
 * Stores what a transactional handler returned, in the same layout as a leased route's response
 * ({@link CapturedResponseCodec}, encrypted when configured): the {@code ResponseEntity}'s status
 * and allow-listed headers (200 and none for a plain body) and its body as JSON. Decoding gives
 * back a value of the method's return type. Thread-safe.
 */
final class HandlerResultCodec implements ResultCodec<Object> {
  private final ObjectMapper mapper;
  private final ResultCodec<CapturedResponse> codec;
  private final Set<String> storedHeaders = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
  private final boolean entity;
  private final JavaType bodyType;

  HandlerResultCodec(
      ObjectMapper mapper,
      CapturedResponseCodec codec,
      Collection<String> storedHeaders,
      Method method,
      Class<?> beanType) {
    this.mapper = mapper;
    this.codec = codec;
    this.storedHeaders.addAll(storedHeaders);
    ResolvableType returnType = ResolvableType.forMethodReturnType(method, beanType);
    this.entity = ResponseEntity.class.isAssignableFrom(returnType.toClass());
    ResolvableType body = entity ? returnType.as(ResponseEntity.class).getGeneric(0) : returnType;
    this.bodyType =
        mapper.constructType(ResolvableType.NONE.equals(body) ? Object.class : body.getType());
  }

  private HandlerResultCodec(HandlerResultCodec unbound, ResultCodec<CapturedResponse> codec) {
    this.mapper = unbound.mapper;
    this.codec = codec;
    this.storedHeaders.addAll(unbound.storedHeaders);
    this.entity = unbound.entity;
    this.bodyType = unbound.bodyType;
  }

  /**
   * This codec for the record stored under {@code storageKey}: encrypted results are bound to it,
   * and a result bound to another record is refused ({@link CapturedResponseCodec#forRecord}).
   */
  HandlerResultCodec forRecord(CapturedResponseCodec responses, StorageKey storageKey) {
    return new HandlerResultCodec(this, responses.forRecord(storageKey));
  }

  /** The type the body is read back as. */
  JavaType bodyType() {
    return bodyType;
  }

  @Override
  public byte[] encode(Object value) {
    int status = 200;
    Object body = value;
    CapturedResponse.Builder stored;
    if (value instanceof ResponseEntity<?> response) {
      status = response.getStatusCode().value();
      body = response.getBody();
      stored = CapturedResponse.builder(status);
      for (Map.Entry<String, List<String>> header : response.getHeaders().entrySet()) {
        if (storedHeaders.contains(header.getKey())) {
          header.getValue().forEach(v -> stored.header(header.getKey(), v));
        }
      }
    } else {
      stored = CapturedResponse.builder(status);
    }
    try {
      stored.body(mapper.writerFor(bodyType).writeValueAsBytes(body));
    } catch (IOException e) {
      throw new UncheckedIOException(
          "the handler's result cannot be written as JSON to be stored: " + e.getMessage(), e);
    }
    return codec.encode(stored.build());
  }

  /**
   * @throws StoredResponseUnreadableException if the bytes or the JSON body cannot be read back as
   *     the method's return type (say, the type changed since the result was stored)
   */
  @Override
  public Object decode(byte[] bytes) {
    CapturedResponse stored = codec.decode(bytes);
    Object body;
    try {
      body = mapper.readerFor(bodyType).readValue(stored.body());
    } catch (IOException e) {
      throw new StoredResponseUnreadableException(
          "the stored result cannot be read back as " + bodyType + ": " + e.getMessage(), e);
    }
    if (!entity) {
      return body;
    }
    HttpHeaders headers = new HttpHeaders();
    stored.headers().forEach((name, values) -> values.forEach(v -> headers.add(name, v)));
    return ResponseEntity.status(stored.status()).headers(headers).body(body);
  }

  @Override
  public String toString() {
    return "HandlerResultCodec[" + (entity ? "ResponseEntity<" + bodyType + ">" : bodyType) + "]";
  }
}
