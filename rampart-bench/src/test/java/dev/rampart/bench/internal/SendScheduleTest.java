package dev.rampart.bench.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ConstantRateScheduleTest {

  private static final long SECOND = 1_000_000_000L;

  @Test
  void oneSecondAtAThousandPerSecondHoldsAThousandRequests() {
    assertThat(new ConstantRateSchedule(0, 1000, SECOND).total()).isEqualTo(1000);
    assertThat(new ConstantRateSchedule(0, 3, SECOND).total()).isEqualTo(3);
    assertThat(new ConstantRateSchedule(0, 3, SECOND + 1).total()).isEqualTo(4);
    assertThat(new ConstantRateSchedule(0, 7, 0).total()).isZero();
  }

  @Test
  void intendedTimesAreEvenlySpacedFromTheStartWhateverHappenedBefore() {
    ConstantRateSchedule schedule = new ConstantRateSchedule(5_000, 4, SECOND);
    assertThat(schedule.intendedNanos(0)).isEqualTo(5_000);
    assertThat(schedule.intendedNanos(1)).isEqualTo(5_000 + 250_000_000L);
    assertThat(schedule.intendedNanos(3)).isEqualTo(5_000 + 750_000_000L);
  }

  @Test
  void aLateTickHandsOutEveryOverdueRequestKeepingTheirIntendedTimes() {
    ConstantRateSchedule schedule = new ConstantRateSchedule(0, 1000, SECOND);
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
    assertThat(schedule.isDue(now)).isFalse();
    assertThat(schedule.isDue(now + 1_000_000L)).isTrue();
  }

  @Test
  void nothingIsDueBeforeItsTimeAndTheScheduleEnds() {
    ConstantRateSchedule schedule = new ConstantRateSchedule(SECOND, 2, SECOND);
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
    ConstantRateSchedule schedule = new ConstantRateSchedule(Long.MAX_VALUE - 10, 1000, SECOND);
    assertThat(schedule.isDue(Long.MAX_VALUE - 10)).isTrue();
    schedule.take();
    assertThat(schedule.isDue(Long.MAX_VALUE)).isFalse();
    assertThat(schedule.isDue(Long.MIN_VALUE + 1_000_000L)).isTrue();
  }

  @Test
  void rejectsARateBelowOne() {
    assertThatThrownBy(() -> new ConstantRateSchedule(0, 0, SECOND))
        .hasMessage("ratePerSecond: 0 (expected: >= 1)");
  }
}
