package dev.rampart.bench.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SendScheduleTest {

  private static final long SECOND = 1_000_000_000L;

  @Test
  void oneSecondAtAThousandPerSecondHoldsAThousandRequests() {
    assertThat(new SendSchedule(0, 1000, 0, SECOND).total()).isEqualTo(1000);
    assertThat(new SendSchedule(0, 3, 0, SECOND).total()).isEqualTo(3);
    assertThat(new SendSchedule(0, 3, 0, SECOND + 1).total()).isEqualTo(4);
    assertThat(new SendSchedule(0, 7, 0, 0).total()).isZero();
  }

  @Test
  void aRampSendsHalfAsManyRequestsAsTheSameTimeAtFullRate() {
    SendSchedule schedule = new SendSchedule(0, 1000, 2 * SECOND, SECOND);
    assertThat(schedule.rampCount()).isEqualTo(1000);
    assertThat(schedule.total()).isEqualTo(2000);
    assertThat(schedule.isMeasured(999)).isFalse();
    assertThat(schedule.isMeasured(1000)).isTrue();
  }

  @Test
  void theRampAcceleratesAndMeetsTheHeldRateAtItsEnd() {
    SendSchedule schedule = new SendSchedule(0, 1000, 2 * SECOND, SECOND);
    // rate R·t/W: after half the ramp a quarter of its requests have gone
    assertThat(schedule.intendedNanos(250)).isEqualTo(SECOND);
    assertThat(schedule.intendedNanos(0)).isZero();
    // the first measured request is intended exactly at the end of the ramp, then every 1 ms
    assertThat(schedule.intendedNanos(1000)).isEqualTo(2 * SECOND);
    assertThat(schedule.intendedNanos(1001)).isEqualTo(2 * SECOND + 1_000_000L);
    assertThat(schedule.intendedNanos(1999)).isEqualTo(3 * SECOND - 1_000_000L);
    // gaps shrink along the ramp
    long early = schedule.intendedNanos(11) - schedule.intendedNanos(10);
    long late = schedule.intendedNanos(991) - schedule.intendedNanos(990);
    assertThat(early).isGreaterThan(late);
    assertThat(late).isGreaterThanOrEqualTo(1_000_000L);
  }

  @Test
  void intendedTimesAreEvenlySpacedFromTheStartWithoutARamp() {
    SendSchedule schedule = new SendSchedule(5_000, 4, 0, SECOND);
    assertThat(schedule.intendedNanos(0)).isEqualTo(5_000);
    assertThat(schedule.intendedNanos(1)).isEqualTo(5_000 + 250_000_000L);
    assertThat(schedule.intendedNanos(3)).isEqualTo(5_000 + 750_000_000L);
    assertThat(schedule.isMeasured(0)).isTrue();
  }

  @Test
  void aLateTickHandsOutEveryOverdueRequestKeepingTheirIntendedTimes() {
    SendSchedule schedule = new SendSchedule(0, 1000, 0, SECOND);
    // the timer fired 10 ms late: requests 0..10 are due (0 ms, 1 ms, ..., 10 ms)
    long now = 10_000_000L;
    int handedOut = 0;
    long last = -1;
    while (schedule.isDue(now)) {
      last = schedule.take();
      handedOut++;
    }
    assertThat(handedOut).isEqualTo(11);
    assertThat(last).isEqualTo(10_000_000L);
    assertThat(schedule.nextIndex()).isEqualTo(11);
    assertThat(schedule.isDue(now)).isFalse();
    assertThat(schedule.isDue(now + 1_000_000L)).isTrue();
  }

  @Test
  void nothingIsDueBeforeItsTimeAndTheScheduleEnds() {
    SendSchedule schedule = new SendSchedule(SECOND, 2, 0, SECOND);
    assertThat(schedule.isDue(SECOND - 1)).isFalse();
    assertThat(schedule.isDue(SECOND)).isTrue();
    schedule.take();
    schedule.take();
    assertThat(schedule.isExhausted()).isTrue();
    assertThat(schedule.isDue(Long.MAX_VALUE)).isFalse();
    assertThatThrownBy(schedule::take).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void worksAcrossTheNanoTimeWrap() {
    SendSchedule schedule = new SendSchedule(Long.MAX_VALUE - 10, 1000, 0, SECOND);
    assertThat(schedule.isDue(Long.MAX_VALUE - 10)).isTrue();
    schedule.take();
    assertThat(schedule.isDue(Long.MAX_VALUE)).isFalse();
    assertThat(schedule.isDue(Long.MIN_VALUE + 1_000_000L)).isTrue();
  }

  @Test
  void rejectsARateBelowOne() {
    assertThatThrownBy(() -> new SendSchedule(0, 0, 0, SECOND))
        .hasMessage("ratePerSecond: 0 (expected: >= 1)");
  }
}
