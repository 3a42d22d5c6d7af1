package dev.rampart.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class LoadMainTest {

  @Test
  void parsesTheDocumentedFlags() {
    LoadMain.Parsed parsed = LoadMain.parse(new String[] {
        "--url", "http://127.0.0.1:8080/x", "--rate", "2500", "--duration", "3s",
        "--warmup", "500ms", "--connections", "16", "--header", "X-A: b", "--json"});
    assertThat(parsed.json()).isTrue();
    assertThat(parsed.options().ratePerSecond()).isEqualTo(2500);
    assertThat(parsed.options().duration()).isEqualTo(Duration.ofSeconds(3));
    assertThat(parsed.options().warmup()).isEqualTo(Duration.ofMillis(500));
    assertThat(parsed.options().connections()).isEqualTo(16);
    assertThat(parsed.options().headers()).containsEntry("X-A", "b");
  }

  @Test
  void durationsTakeMillisecondsSecondsAndMinutes() {
    assertThat(LoadMain.duration("250ms", "--d")).isEqualTo(Duration.ofMillis(250));
    assertThat(LoadMain.duration("10", "--d")).isEqualTo(Duration.ofSeconds(10));
    assertThat(LoadMain.duration("2m", "--d")).isEqualTo(Duration.ofMinutes(2));
    assertThatThrownBy(() -> LoadMain.duration("soon", "--d"))
        .hasMessage("--d: soon (expected: e.g. 500ms, 10s, 2m)");
  }

  @Test
  void urlAndRateAreRequired() {
    assertThatThrownBy(() -> LoadMain.parse(new String[] {"--rate", "10"}))
        .hasMessageContaining("--url and --rate are required");
    assertThatThrownBy(() -> LoadMain.parse(new String[] {"--bogus"}))
        .hasMessageContaining("unknown option: --bogus");
  }
}
