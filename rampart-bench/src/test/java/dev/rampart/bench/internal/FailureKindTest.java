package dev.rampart.bench.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.VertxException;
import java.net.ConnectException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class FailureKindTest {

  @Test
  void refusedConnectionsAreConnectErrors() {
    assertThat(FailureKind.of(new ConnectException("Connection refused"))).isEqualTo(FailureKind.CONNECT);
    assertThat(FailureKind.of(new VertxException(new ConnectException("x")))).isEqualTo(FailureKind.CONNECT);
  }

  @Test
  void timeoutsAreTimeouts() {
    assertThat(FailureKind.of(new TimeoutException("The timeout of 200 ms has been exceeded")))
        .isEqualTo(FailureKind.TIMEOUT);
  }

  @Test
  void anythingElseIsOther() {
    assertThat(FailureKind.of(new VertxException("Connection was closed"))).isEqualTo(FailureKind.OTHER);
    assertThat(FailureKind.of(new IllegalStateException())).isEqualTo(FailureKind.OTHER);
  }
}
