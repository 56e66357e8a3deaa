package io.maml4j.cluster;

import io.maml4j.config.ConfigException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The cluster's shared secret and what is derived from it. Hazelcast Community has no
 * authentication, so the secret is made part of the Hazelcast cluster name (an HMAC of the
 * user's cluster name under the secret): a member with another secret asks to join another
 * cluster and is refused by Hazelcast's own join check. Every job also carries a second HMAC
 * that a worker checks before running it. Neither hides the traffic, which is not encrypted.
 */
public final class Secrets {
  /** The environment variable the secret is read from unless {@code --secret-env} names another. */
  public static final String DEFAULT_ENV = "MAML4J_CLUSTER_SECRET";

  private Secrets() {}

  /**
   * The secret in environment variable {@code var}: never a file or the command line, which other
   * users of the host can read.
   *
   * @throws ConfigException when it is unset or empty
   */
  public static String fromEnv(String var) {
    String s = System.getenv(var);
    if (s == null || s.isEmpty()) {
      throw new ConfigException("--secret-env " + var + ": the environment variable is not set; the cluster's shared"
          + " secret is read from it (export " + var + "=... on every member and the driver)");
    }
    return s;
  }

  /** The Hazelcast cluster name of {@code name} under {@code secret}. */
  static String clusterName(String name, String secret) {
    return name + "-" + hmac(secret, "cluster:" + name).substring(0, 24);
  }

  /** The proof a job carries that its sender knows the secret. */
  static String jobProof(String name, String secret) {
    return hmac(secret, "job:" + name);
  }

  /** Constant-time comparison of two proofs. */
  static boolean same(String a, String b) {
    return a != null && b != null
        && MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }

  private static String hmac(String secret, String message) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(message.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }
}
