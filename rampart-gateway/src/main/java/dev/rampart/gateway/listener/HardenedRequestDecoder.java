package dev.rampart.gateway.listener;

import dev.rampart.gateway.errors.ErrorCode;
import dev.rampart.gateway.errors.ErrorResponses;
import dev.rampart.gateway.proxy.RequestIds;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.impl.VertxHttpRequestDecoder;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Vert.x's HTTP/1.1 request decoder made strict where Netty is lenient, and guarded in time. It sees the raw bytes,
 * so it is where Rampart:
 * <ul>
 *   <li>rejects a request carrying both Content-Length and Transfer-Encoding (Netty silently drops Content-Length);</li>
 *   <li>rejects obsolete line folding in headers (Netty silently joins the lines);</li>
 *   <li>answers a broken chunked body with 400 and closes, instead of a bare connection reset;</li>
 *   <li>bounds the time a client may take to send a request head (slowloris) and the time an idle keep-alive
 *       connection is kept.</li>
 * </ul>
 * One instance per connection, used only on that connection's event loop.
 */
public final class HardenedRequestDecoder extends VertxHttpRequestDecoder {
    /** The name Vert.x gives its request decoder in the channel pipeline, which this one replaces. */
    public static final String PIPELINE_NAME = "httpDecoder";

    private final long headerReadTimeoutNanos;
    private final long keepAliveIdleNanos;

    private ChannelHandlerContext ctx;
    /** True from the end of one request head until the next request's first byte. */
    private boolean awaitingHead = true;
    private boolean obsFoldSeen;
    /** Request heads decoded whose responses are not finished yet (more than one when a client pipelines). */
    private int responsesPending;
    private boolean requestBodyInProgress;
    private ScheduledFuture<?> timer;
    private String currentRequestId;
    private boolean closing;

    private final RawRejections rejections;

    /** Told of the requests this decoder answers itself, below Vert.x, so they reach the access log too. */
    @FunctionalInterface
    public interface RawRejections {
        void rejected(ErrorCode error, String requestId, String clientIp, int bytesOut);
    }

    public HardenedRequestDecoder(HttpServerOptions options, long headerReadTimeoutMillis, long keepAliveIdleMillis,
                                  RawRejections rejections) {
        super(options);
        this.rejections = rejections;
        this.headerReadTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(headerReadTimeoutMillis);
        this.keepAliveIdleNanos = TimeUnit.MILLISECONDS.toNanos(keepAliveIdleMillis);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
        super.handlerAdded(ctx);
        this.ctx = ctx;
        // a client that connects and sends nothing gets the same bound as one that sends its head slowly
        arm(headerReadTimeoutNanos, ErrorCode.HEADER_READ_TIMEOUT);
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) throws Exception {
        cancelTimer();
        super.handlerRemoved0(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        cancelTimer();
        closing = true;
        super.channelInactive(ctx);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out) throws Exception {
        if (closing) {
            buffer.skipBytes(buffer.readableBytes());
            return;
        }
        if (awaitingHead && buffer.isReadable()) {
            if (timer == null || isKeepAliveTimer) {
                // first bytes of a new request: the head must now arrive within the header read timeout
                arm(headerReadTimeoutNanos, ErrorCode.HEADER_READ_TIMEOUT);
            }
            scanHeadForObsFold(buffer);
        }
        int before = out.size();
        super.decode(ctx, buffer, out);
        for (int i = before; i < out.size(); i++) {
            Object msg = out.get(i);
            if (msg instanceof HttpRequest request) {
                onHead(request); // an invalid head is a full request too; Vert.x answers it (InvalidRequestHandler)
            } else if (msg instanceof HttpContent content) {
                if (!content.decoderResult().isSuccess()) {
                    rejectBrokenBody();
                    return;
                }
                if (msg instanceof LastHttpContent) {
                    requestBodyInProgress = false;
                    awaitingHead = true;
                    maybeArmKeepAlive();
                }
            }
        }
    }

    private void onHead(HttpRequest request) {
        cancelTimer();
        awaitingHead = false;
        requestBodyInProgress = true;
        responsesPending++;
        // the id is settled here so that an answer given below Vert.x (a broken body) names the same request
        currentRequestId = RequestIds.acceptOrGenerate(request.headers().get("x-request-id"));
        request.headers().set("x-request-id", currentRequestId);
        if (obsFoldSeen && request.decoderResult().isSuccess()) {
            request.setDecoderResult(DecoderResult.failure(
                    new RequestRejected(ErrorCode.BAD_REQUEST, "obsolete line folding in headers")));
        }
        obsFoldSeen = false;
    }

    /** Called by the proxy when the response to the current request has been fully written. */
    public void responseCompleted() {
        if (responsesPending > 0) {
            responsesPending--;
        }
        maybeArmKeepAlive();
    }

    private void maybeArmKeepAlive() {
        if (responsesPending == 0 && !requestBodyInProgress && awaitingHead && !closing && ctx.channel().isActive()) {
            arm(keepAliveIdleNanos, null);
        }
    }

    private boolean isKeepAliveTimer;

    private void arm(long delayNanos, ErrorCode onExpiry) {
        cancelTimer();
        isKeepAliveTimer = onExpiry == null;
        timer = ctx.executor().schedule(() -> expire(onExpiry), delayNanos, TimeUnit.NANOSECONDS);
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void expire(ErrorCode onExpiry) {
        timer = null;
        if (closing || !ctx.channel().isActive()) {
            return;
        }
        closing = true;
        if (onExpiry == null) {
            ctx.close(); // idle keep-alive: close quietly, as nginx does
        } else {
            answerAndClose(onExpiry, RequestIds.generate(), true);
        }
    }

    private void rejectBrokenBody() {
        closing = true;
        cancelTimer();
        // the request's exchange sees the failure too and writes its access-log line
        answerAndClose(ErrorCode.BAD_CHUNK, currentRequestId, false);
    }

    private void answerAndClose(ErrorCode error, String requestId, boolean report) {
        byte[] response = ErrorResponses.rawResponse(error, requestId);
        ctx.writeAndFlush(Unpooled.wrappedBuffer(response)).addListener(ChannelFutureListener.CLOSE);
        if (report) {
            String clientIp = ctx.channel().remoteAddress() instanceof InetSocketAddress address
                    ? address.getAddress().getHostAddress() : null;
            rejections.rejected(error, requestId, clientIp, response.length);
        }
    }

    /**
     * Looks for a header line that starts with a space or tab (obs-fold, RFC 9112 §5.2) in the bytes of the request
     * head not yet consumed. Netty consumes only complete lines, so each call starts at a line boundary.
     */
    private void scanHeadForObsFold(ByteBuf buffer) {
        boolean lineStart = true;
        boolean lineEmpty = true;
        for (int i = buffer.readerIndex(), end = buffer.writerIndex(); i < end; i++) {
            byte b = buffer.getByte(i);
            if (lineStart && (b == ' ' || b == '\t')) {
                obsFoldSeen = true;
                return;
            }
            if (b == '\n') {
                if (lineEmpty) {
                    return; // the empty line that ends the head: what follows is body or the next request
                }
                lineStart = true;
                lineEmpty = true;
            } else {
                if (b != '\r') {
                    lineEmpty = false;
                }
                lineStart = false;
            }
        }
    }

    /** Netty accepts any {@code NAME/x.y} as a protocol and Vert.x would echo it in its answer: only HTTP/1.x is. */
    @Override
    protected HttpMessage createMessage(String[] initialLine) {
        String version = initialLine[2];
        if (!"HTTP/1.1".equals(version) && !"HTTP/1.0".equals(version)) {
            boolean wellFormedVersion = version.length() == 8 && version.startsWith("HTTP/")
                    && Character.isDigit(version.charAt(5)) && version.charAt(6) == '.'
                    && Character.isDigit(version.charAt(7));
            throw wellFormedVersion
                    ? new RequestRejected(ErrorCode.HTTP_VERSION_NOT_SUPPORTED, "unsupported version")
                    : new RequestRejected(ErrorCode.BAD_REQUEST, "not an HTTP request line");
        }
        return super.createMessage(initialLine);
    }

    @Override
    protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
        throw new RequestRejected(ErrorCode.AMBIGUOUS_LENGTH, "both Content-Length and Transfer-Encoding");
    }
}
