package io.maml4j.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import java.time.Duration;
import java.util.List;

/**
 * How a member or a driver reaches the cluster.
 *
 * @param join addresses ({@code HOST:PORT} or {@code HOST}) of members to join, empty for the first
 *     member; or one {@code k8s:SERVICE-DNS}, the DNS name of a headless Kubernetes service whose
 *     pods are the members (Hazelcast's built-in Kubernetes discovery)
 * @param name the cluster name
 * @param secret the shared secret (see {@link Secrets}); never printed
 * @param bind the address to bind and advertise, loopback unless told otherwise; {@code 0.0.0.0}
 *     binds every interface and advertises the one Hazelcast picks (a pod's IP, say)
 * @param port the first port to try (the next ones are tried when it is taken)
 * @param roundTimeout how long the driver waits for a member's answer to one round before it
 *     re-runs that member's tasks elsewhere
 */
public record ClusterSettings(List<String> join, String name, String secret, String bind, int port,
    Duration roundTimeout) {
  public static final String DEFAULT_NAME = "maml4j";
  public static final String LOOPBACK = "127.0.0.1";
  public static final String ANY = "0.0.0.0";
  static final String K8S = "k8s:";
  public static final int DEFAULT_PORT = 5701;
  public static final Duration DEFAULT_ROUND_TIMEOUT = Duration.ofMinutes(10);

  public ClusterSettings {
    join = List.copyOf(join);
    for (String a : join) {
      if (a.startsWith(K8S) && join.size() == 1 && a.length() > K8S.length()) {
        continue;
      }
      if (!a.matches("[A-Za-z0-9.:\\[\\]-]+(:\\d{1,5})?")) {
        throw new IllegalArgumentException("cluster member address must be HOST:PORT, got '" + a + "'");
      }
    }
    if (name == null || !name.matches("[A-Za-z0-9._-]{1,64}")) {
      throw new IllegalArgumentException("--cluster-name must be 1-64 letters, digits, '.', '_' or '-', got " + name);
    }
    if (secret == null || secret.isEmpty()) {
      throw new IllegalArgumentException("the cluster secret must not be empty");
    }
    if (bind == null || bind.isBlank()) {
      throw new IllegalArgumentException("--bind must be an address, got " + bind);
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("--port must be in [1, 65535], got " + port);
    }
    if (roundTimeout == null || roundTimeout.isNegative() || roundTimeout.isZero()) {
      throw new IllegalArgumentException("the round timeout must be positive, got " + roundTimeout);
    }
  }

  /** Loopback settings with the default port and timeout. */
  public static ClusterSettings loopback(List<String> join, String name, String secret) {
    return new ClusterSettings(join, name, secret, LOOPBACK, DEFAULT_PORT, DEFAULT_ROUND_TIMEOUT);
  }

  /** These settings with another round timeout. */
  public ClusterSettings withRoundTimeout(Duration t) {
    return new ClusterSettings(join, name, secret, bind, port, t);
  }

  /** These settings on another first port. */
  public ClusterSettings withPort(int p) {
    return new ClusterSettings(join, name, secret, bind, p, roundTimeout);
  }

  /** The proof jobs under these settings carry. */
  String jobProof() {
    return Secrets.jobProof(name, secret);
  }

  /** A Hazelcast member config: TCP-IP join to {@link #join}, bound to {@link #bind}, quiet. */
  Config hazelcast(boolean lite) {
    Config c = new Config();
    c.setClusterName(Secrets.clusterName(name, secret));
    c.setInstanceName("maml4j-" + (lite ? "driver-" : "worker-") + java.util.UUID.randomUUID());
    c.setLiteMember(lite);
    // maml4j prints its own one-line events; Hazelcast's log would drown them.
    c.setProperty("hazelcast.logging.type", "none");
    c.setProperty("hazelcast.phone.home.enabled", "false");
    c.setProperty("hazelcast.wait.seconds.before.join", "0");
    c.setProperty("hazelcast.socket.bind.any", Boolean.toString(bind.equals(ANY)));
    c.setProperty("hazelcast.max.no.heartbeat.seconds", "30");
    // The driver and the JVM's shutdown hook decide when a member leaves (Ctrl-C leaves gracefully).
    c.setProperty("hazelcast.shutdownhook.policy", "GRACEFUL");
    NetworkConfig n = c.getNetworkConfig();
    n.setPort(port).setPortAutoIncrement(true).setPortCount(100);
    if (!bind.equals(ANY)) {
      n.getInterfaces().setEnabled(true).addInterface(bind);
    }
    JoinConfig j = n.getJoin();
    j.getMulticastConfig().setEnabled(false);
    j.getAutoDetectionConfig().setEnabled(false);
    if (join.size() == 1 && join.get(0).startsWith(K8S)) {
      j.getKubernetesConfig().setEnabled(true).setProperty("service-dns", join.get(0).substring(K8S.length()));
    } else {
      j.getTcpIpConfig().setEnabled(true).setMembers(join.isEmpty() ? List.of(bind.equals(ANY) ? LOOPBACK : bind)
          : join);
    }
    return c;
  }

  @Override
  public String toString() {
    return "ClusterSettings[join=" + join + ", name=" + name + ", bind=" + bind + ", port=" + port + ", roundTimeout="
        + roundTimeout + "]";
  }
}
