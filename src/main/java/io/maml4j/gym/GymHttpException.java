package io.maml4j.gym;

/**
 * A failed Gym HTTP API call. The subtype says what went wrong; every message names the method
 * and URL of the call.
 *
 * <ul>
 *   <li>{@link Rejected}: the server refused the request (4xx), with its {@code message};
 *   <li>{@link ServerFailure}: the server failed (5xx), often with an HTML page, trimmed here;
 *   <li>{@link Unreachable}: no connection (refused, reset, unknown host);
 *   <li>{@link TimedOut}: no reply within the timeout;
 *   <li>{@link BadReply}: a 2xx reply the client cannot read (not JSON, missing fields,
 *       unsupported space).
 * </ul>
 */
public abstract sealed class GymHttpException extends RuntimeException
    permits GymHttpException.Rejected, GymHttpException.ServerFailure, GymHttpException.Unreachable,
        GymHttpException.TimedOut, GymHttpException.BadReply {
  private static final long serialVersionUID = 1L;

  private final String method;
  private final String url;

  GymHttpException(String method, String url, String detail, Throwable cause) {
    super(method + " " + url + ": " + detail, cause);
    this.method = method;
    this.url = url;
  }

  /** HTTP method of the failed call. */
  public String method() {
    return method;
  }

  /** Full URL of the failed call. */
  public String url() {
    return url;
  }

  /** A 4xx reply; {@link #serverMessage()} is the server's {@code message} field, or its trimmed body. */
  public static final class Rejected extends GymHttpException {
    private static final long serialVersionUID = 1L;
    private final int status;
    private final String serverMessage;

    Rejected(String method, String url, int status, String serverMessage) {
      super(method, url, status + " " + serverMessage, null);
      this.status = status;
      this.serverMessage = serverMessage;
    }

    public int status() {
      return status;
    }

    public String serverMessage() {
      return serverMessage;
    }
  }

  /** A 5xx (or other non-2xx, non-4xx) reply; {@link #body()} is its text, tags stripped and trimmed. */
  public static final class ServerFailure extends GymHttpException {
    private static final long serialVersionUID = 1L;
    private final int status;
    private final String body;

    ServerFailure(String method, String url, int status, String body) {
      super(method, url, "server failure " + status + (body.isEmpty() ? "" : ": " + body), null);
      this.status = status;
      this.body = body;
    }

    public int status() {
      return status;
    }

    public String body() {
      return body;
    }
  }

  /** The server could not be reached: connection refused or reset, unknown host. */
  public static final class Unreachable extends GymHttpException {
    private static final long serialVersionUID = 1L;

    Unreachable(String method, String url, String detail, Throwable cause) {
      super(method, url, "cannot reach the server (" + detail + ")", cause);
    }
  }

  /** No reply within the configured timeout. */
  public static final class TimedOut extends GymHttpException {
    private static final long serialVersionUID = 1L;

    TimedOut(String method, String url, java.time.Duration timeout, Throwable cause) {
      super(method, url, "no reply within " + timeout.toMillis() + " ms", cause);
    }
  }

  /** A successful status with a body the client cannot use. */
  public static final class BadReply extends GymHttpException {
    private static final long serialVersionUID = 1L;

    BadReply(String method, String url, String detail, Throwable cause) {
      super(method, url, "unexpected reply: " + detail, cause);
    }
  }
}
