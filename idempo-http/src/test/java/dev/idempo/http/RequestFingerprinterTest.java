package dev.idempo.http;

import static dev.idempo.http.RequestFingerprinter.CANONICAL_JSON;
import static dev.idempo.http.RequestFingerprinter.RAW_BODY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.idempo.Fingerprint;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class RequestFingerprinterTest {
  private static final String JSON = "application/json";

  private static Fingerprint fp(
      RequestFingerprinter fingerprinter,
      String method,
      String path,
      String query,
      String type,
      String body) {
    return fingerprinter.fingerprint(
        method, path, query, type, body.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void everyPartOfTheRequestCounts() {
    Fingerprint base = fp(RAW_BODY, "POST", "/pay", "a=1", JSON, "{}");
    assertEquals(base, fp(RAW_BODY, "POST", "/pay", "a=1", JSON, "{}"));
    assertNotEquals(base, fp(RAW_BODY, "PATCH", "/pay", "a=1", JSON, "{}"));
    assertNotEquals(base, fp(RAW_BODY, "POST", "/pay/1", "a=1", JSON, "{}"));
    assertNotEquals(base, fp(RAW_BODY, "POST", "/pay", "a=2", JSON, "{}"));
    assertNotEquals(base, fp(RAW_BODY, "POST", "/pay", "a=1", "text/plain", "{}"));
    assertNotEquals(base, fp(RAW_BODY, "POST", "/pay", "a=1", null, "{}"));
    assertNotEquals(base, fp(RAW_BODY, "POST", "/pay", "a=1", JSON, "{ }"));
    // Parts are length-prefixed: moving a character between parts changes the fingerprint.
    assertNotEquals(
        fp(RAW_BODY, "POST", "/pa", "ya=1", JSON, "{}"),
        fp(RAW_BODY, "POST", "/pay", "a=1", JSON, "{}"));
  }

  @Test
  void contentTypeIsComparedNormalized() {
    Fingerprint base = fp(RAW_BODY, "POST", "/p", "", "application/json; charset=utf-8", "{}");
    assertEquals(base, fp(RAW_BODY, "POST", "/p", "", "Application/JSON;Charset=\"UTF-8\"", "{}"));
    assertEquals(
        base, fp(RAW_BODY, "POST", "/p", "", " application/json ;  charset = UTF-8 ", "{}"));
    assertNotEquals(
        base, fp(RAW_BODY, "POST", "/p", "", "application/json; charset=iso-8859-1", "{}"));
    assertEquals(
        "multipart/form-data;boundary=AbC",
        RequestFingerprinter.normalizeContentType("Multipart/Form-Data; Boundary=AbC"));
  }

  @Test
  void contentTypeWithoutParametersIsNormalizedLikeOneWith() {
    assertEquals(
        "application/json", RequestFingerprinter.normalizeContentType(" Application/JSON "));
    assertEquals("text/plain", RequestFingerprinter.normalizeContentType("text/plain"));
    assertEquals("", RequestFingerprinter.normalizeContentType(""));
    assertEquals(
        fp(RAW_BODY, "POST", "/p", "", "application/json", "{}"),
        fp(RAW_BODY, "POST", "/p", "", "\tApplication/Json ", "{}"));
    // An empty parameter is dropped, so a trailing ";" takes the other path to the same answer.
    assertEquals(
        fp(RAW_BODY, "POST", "/p", "", "application/json", "{}"),
        fp(RAW_BODY, "POST", "/p", "", "Application/JSON ;", "{}"));
  }

  @Test
  void quotedContentTypeParameterKeepsItsBytes() {
    assertNotEquals(
        fp(RAW_BODY, "POST", "/p", "", "multipart/form-data; boundary=\"x;y\"", "{}"),
        fp(RAW_BODY, "POST", "/p", "", "multipart/form-data; boundary=\"x; y\"", "{}"));
    assertEquals(
        "multipart/form-data;boundary=\"a; b=c\";x=1",
        RequestFingerprinter.normalizeContentType(
            "multipart/form-data; boundary=\"a; b=c\" ; X=1"));
  }

  @Test
  void everyContentTypeValueCounts() {
    byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
    Fingerprint one = RAW_BODY.fingerprint("POST", "/p", "", List.of(JSON), List.of(), body);

    assertEquals(
        fp(RAW_BODY, "POST", "/p", "", JSON, "{}"), one, "one value: the single-type fingerprint");
    assertNotEquals(
        one, RAW_BODY.fingerprint("POST", "/p", "", List.of(JSON, "text/plain"), List.of(), body));
    assertNotEquals(
        RAW_BODY.fingerprint("POST", "/p", "", List.of(JSON, "text/plain"), List.of(), body),
        RAW_BODY.fingerprint("POST", "/p", "", List.of("text/plain", JSON), List.of(), body));
  }

  @Test
  void contentEncodingCounts() {
    byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
    Fingerprint plain = RAW_BODY.fingerprint("POST", "/p", "", List.of(JSON), List.of(), body);

    assertNotEquals(
        plain, RAW_BODY.fingerprint("POST", "/p", "", List.of(JSON), List.of("gzip"), body));
    assertNotEquals(
        RAW_BODY.fingerprint("POST", "/p", "", List.of(JSON), List.of("gzip"), body),
        RAW_BODY.fingerprint("POST", "/p", "", List.of(JSON), List.of("br"), body));
    assertEquals(
        RAW_BODY.fingerprint("POST", "/p", "", List.of(JSON), List.of("GZIP , br"), body),
        RAW_BODY.fingerprint("POST", "/p", "", List.of(JSON), List.of("gzip,br"), body));
  }

  @Test
  void canonicalJsonIgnoresWhitespaceAndMemberOrderButNotArrayOrder() {
    Fingerprint base =
        fp(CANONICAL_JSON, "POST", "/p", "", JSON, "{\"amount\":10,\"items\":[1,2]}");
    assertEquals(
        base,
        fp(
            CANONICAL_JSON,
            "POST",
            "/p",
            "",
            JSON,
            " {\n \"items\" : [1, 2],\n \"amount\" : 10.0 }"));
    assertNotEquals(
        base, fp(CANONICAL_JSON, "POST", "/p", "", JSON, "{\"amount\":10,\"items\":[2,1]}"));
    assertNotEquals(
        base, fp(CANONICAL_JSON, "POST", "/p", "", JSON, "{\"amount\":11,\"items\":[1,2]}"));
    assertNotEquals(
        fp(RAW_BODY, "POST", "/p", "", JSON, "{\"b\":1,\"a\":2}"),
        fp(RAW_BODY, "POST", "/p", "", JSON, "{\"a\":2,\"b\":1}"),
        "raw mode compares bytes");
  }

  @Test
  void canonicalJsonAppliesToJsonMediaTypesOnly() {
    String problemJson = "application/merge-patch+json";
    assertEquals(
        fp(CANONICAL_JSON, "PATCH", "/p", "", problemJson, "{\"b\":1,\"a\":2}"),
        fp(CANONICAL_JSON, "PATCH", "/p", "", problemJson, "{\"a\":2, \"b\":1}"));
    assertNotEquals(
        fp(CANONICAL_JSON, "POST", "/p", "", "text/plain", "{\"b\":1,\"a\":2}"),
        fp(CANONICAL_JSON, "POST", "/p", "", "text/plain", "{\"a\":2, \"b\":1}"));
    assertTrue(RequestFingerprinter.isJson("application/json;charset=utf-8"));
    assertTrue(RequestFingerprinter.isJson("application/vnd.api+json"));
    assertFalse(RequestFingerprinter.isJson("application/jsonp"));
    assertFalse(RequestFingerprinter.isJson("text/json-ish"));
  }

  @Test
  void malformedJsonFallsBackToItsRawBytes() {
    Fingerprint malformed = fp(CANONICAL_JSON, "POST", "/p", "", JSON, "{\"a\":1,");
    assertEquals(malformed, fp(RAW_BODY, "POST", "/p", "", JSON, "{\"a\":1,"));
    assertNotEquals(malformed, fp(CANONICAL_JSON, "POST", "/p", "", JSON, "{\"a\":1, "));
  }

  @Test
  void aRawBodyNeverEqualsACanonicalOne() {
    // The canonical text of {"a":1} is {"a":1}; the raw and canonical parts are named apart.
    assertNotEquals(
        fp(CANONICAL_JSON, "POST", "/p", "", JSON, "{\"a\":1}"),
        fp(RAW_BODY, "POST", "/p", "", JSON, "{\"a\":1}"));
  }
}
