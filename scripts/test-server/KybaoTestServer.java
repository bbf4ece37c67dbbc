// scripts/test-server/KybaoTestServer.java — main class of kybao's Java time-skipping test server.
//
// A drop-in replacement for io.temporal.testserver.TestServer (io.temporal:temporal-test-server)
// that can start the server's clock at a chosen instant, so workflow tests can run a program's
// real calendar years (e.g. 2014–2020) under time skipping. scripts/toolchain.sh compiles it
// against the test server's own jars and its `test-server` wrapper runs it.
//
// Usage (same as the stock main): KybaoTestServer <port> [--enable-time-skipping]
//   Without --enable-time-skipping the server starts with time skipping locked, exactly like the
//   stock main (lockTimeSkipping = !enableTimeSkipping); @temporalio/testing unlocks it as needed.
//
// Environment:
//   KYBAO_TEST_SERVER_START   ISO-8601 instant WITH an offset, e.g. 2014-11-01T00:00:00+07:00,
//                             2014-10-31T17:00:00Z, 2014-11-01T00:00:00.250+07:00. The server's
//                             clock starts there instead of at the machine's current time (it
//                             then runs on from there: in real time while time skipping is
//                             locked, jumping ahead while it is unlocked). Unset or empty: now.
//                             Anything else (no offset, not a date, not after 1970-01-01T00:00Z)
//                             is an error: a message naming the variable, exit status 2.
//
// The process serves until it is killed; SIGTERM/SIGINT shut the gRPC server down in order.
package kybao.testserver;

import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.temporal.internal.testservice.GRPCServerHelper;
import io.temporal.internal.testservice.TestServicesStarter;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.concurrent.TimeUnit;

public final class KybaoTestServer {
  public static final String START_ENV = "KYBAO_TEST_SERVER_START";

  private KybaoTestServer() {}

  public static void main(String[] args) throws InterruptedException {
    if (args.length < 1 || args.length > 2) {
      usage();
      System.exit(2);
    }
    int port;
    try {
      port = Integer.parseInt(args[0]);
    } catch (NumberFormatException e) {
      port = -1;
    }
    if (port < 0 || port > 65535) {
      System.err.println("KybaoTestServer: invalid port: " + args[0]);
      usage();
      System.exit(2);
    }
    boolean enableTimeSkipping = false;
    if (args.length > 1) {
      if (!"--enable-time-skipping".equalsIgnoreCase(args[1])) {
        System.err.println("KybaoTestServer: unknown flag: " + args[1]);
        usage();
        System.exit(2);
      }
      enableTimeSkipping = true;
    }

    long initialTimeMillis = 0; // 0 = the machine's current time (TestServicesStarter's convention)
    String start = System.getenv(START_ENV);
    if (start != null && !start.trim().isEmpty()) {
      try {
        initialTimeMillis = parseStart(start.trim());
      } catch (IllegalArgumentException e) {
        System.err.println(
            "KybaoTestServer: invalid " + START_ENV + "=\"" + start + "\": " + e.getMessage());
        System.err.println(
            "  expected an ISO-8601 instant with an offset, e.g. 2014-11-01T00:00:00+07:00"
                + " or 2014-10-31T17:00:00Z (unset it to start at the current time)");
        System.exit(2);
      }
    }

    // As io.temporal.testserver.TestServer.createPortBoundServer(port, lockTimeSkipping).
    TestServicesStarter services = new TestServicesStarter(!enableTimeSkipping, initialTimeMillis);
    Server server;
    try {
      ServerBuilder<?> builder = Grpc.newServerBuilderForPort(port, InsecureServerCredentials.create());
      GRPCServerHelper.registerServicesAndHealthChecks(services.getServices(), builder);
      server = builder.build().start();
    } catch (IOException e) {
      System.err.println("KybaoTestServer: cannot listen on port " + port + ": " + e);
      services.close();
      System.exit(1);
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> close(server, services), "kybao-shutdown"));
    server.awaitTermination();
  }

  /** Epoch millis of an ISO-8601 instant with offset; IllegalArgumentException if unusable. */
  static long parseStart(String value) {
    Instant instant;
    try {
      instant = DateTimeFormatter.ISO_OFFSET_DATE_TIME.parse(value, Instant::from);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          "not an ISO-8601 date-time with offset (" + e.getMessage() + ")", e);
    }
    long millis;
    try {
      millis = instant.toEpochMilli();
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("out of range", e);
    }
    if (millis <= 0) {
      // 0 would mean "now" to TestServicesStarter; earlier instants are not supported.
      throw new IllegalArgumentException("must be after 1970-01-01T00:00:00Z");
    }
    return millis;
  }

  private static void close(Server server, TestServicesStarter services) {
    try {
      server.shutdown();
      server.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      services.close();
      server.shutdownNow();
    }
  }

  private static void usage() {
    System.err.println("Usage: KybaoTestServer <port> [--enable-time-skipping]");
    System.err.println("  --enable-time-skipping   start with time skipping unlocked");
    System.err.println(
        "  env " + START_ENV + "=<ISO-8601 instant with offset>   start the clock there");
  }
}
