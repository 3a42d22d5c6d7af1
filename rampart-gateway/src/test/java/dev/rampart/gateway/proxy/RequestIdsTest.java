package dev.rampart.gateway.proxy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class RequestIdsTest {

    @Test
    void aSafeClientIdIsKept() {
        assertThat(RequestIds.acceptOrGenerate("req-123_abc.def:9")).isEqualTo("req-123_abc.def:9");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "has space", "quote\"inside", "new\nline", "<script>"})
    void anUnsafeClientIdIsReplacedByAGeneratedOne(String unsafe) {
        assertThat(RequestIds.acceptOrGenerate(unsafe)).matches("[0-9a-f]{32}");
    }

    @Test
    void anOverlongClientIdIsReplaced() {
        assertThat(RequestIds.acceptOrGenerate("a".repeat(129))).matches("[0-9a-f]{32}");
    }

    @Test
    void generatedIdsAre32HexCharactersAndDoNotRepeat() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            String id = RequestIds.generate();
            assertThat(id).matches("[0-9a-f]{32}");
            seen.add(id);
        }
        assertThat(seen).hasSize(10_000);
    }
}
