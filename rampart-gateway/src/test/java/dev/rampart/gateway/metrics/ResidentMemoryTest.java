package dev.rampart.gateway.metrics;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class ResidentMemoryTest {
    @Test
    void vmRssIsReadInKibibytesAndReportedInBytes() {
        String status = """
                Name:\tjava
                VmPeak:\t 4000000 kB
                VmRSS:\t  123456 kB
                RssAnon:\t  100000 kB
                """;

        assertThat(ResidentMemory.parseVmRss(status)).isEqualTo(123456L * 1024);
    }

    @Test
    void aStatusWithoutVmRssHasNoValue() {
        assertThat(ResidentMemory.parseVmRss("Name:\tkthreadd\nState:\tS (sleeping)\n")).isEqualTo(-1);
        assertThat(ResidentMemory.parseVmRss("VmRSS:\tlots kB\n")).isEqualTo(-1);
    }

    @Test
    void aMissingFileHasNoValue(@TempDir Path dir) {
        assertThat(ResidentMemory.read(dir.resolve("status"))).isEqualTo(-1);
    }
}
