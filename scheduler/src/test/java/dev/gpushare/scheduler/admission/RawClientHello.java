package dev.gpushare.scheduler.admission;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;

/**
 * A hand-built TLS ClientHello for a given protocol version and the first record the server answers with. The
 * JDK's own client refuses to offer TLS 1.1 (it is in {@code jdk.tls.disabledAlgorithms}), so this is how a test
 * sees that the <em>server</em> refuses it.
 */
final class RawClientHello {

    static final int HANDSHAKE = 22;
    static final int ALERT = 21;
    static final int SERVER_HELLO = 2;
    static final int PROTOCOL_VERSION = 70;

    /** The first record of the answer: its content type and the first two bytes of its payload. */
    record FirstRecord(int contentType, int first, int second) {
    }

    private RawClientHello() {
    }

    /**
     * Sends a ClientHello with {@code client_version} 3.{@code minor} (2 = TLS 1.1, 3 = TLS 1.2) offering ECDHE-ECDSA
     * suites valid in both, and reads the first record of the answer.
     */
    static FirstRecord send(int port, int minor) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(record(clientHello(minor)));
            socket.getOutputStream().flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            int contentType = in.readUnsignedByte();
            in.readUnsignedShort();
            int length = in.readUnsignedShort();
            if (length < 2) {
                throw new EOFException("record of " + length + " bytes");
            }
            return new FirstRecord(contentType, in.readUnsignedByte(), in.readUnsignedByte());
        }
    }

    private static byte[] clientHello(int minor) {
        Bytes body = new Bytes();
        body.u8(3).u8(minor);
        body.raw(new byte[32]);                        // random
        body.u8(0);                                    // no session id
        // ECDHE_ECDSA with AES128_GCM_SHA256 (TLS 1.2), AES128_CBC_SHA and AES256_CBC_SHA (TLS 1.0 to 1.2)
        body.u16(6).u16(0xC02B).u16(0xC009).u16(0xC00A);
        body.u8(1).u8(0);                              // null compression
        Bytes extensions = new Bytes();
        extensions.u16(0x000a).u16(6).u16(4).u16(0x0017).u16(0x001d); // supported_groups: secp256r1, x25519
        extensions.u16(0x000b).u16(2).u8(1).u8(0);                    // ec_point_formats: uncompressed
        extensions.u16(0x000d).u16(4).u16(2).u16(0x0403);             // signature_algorithms: ecdsa_secp256r1_sha256
        extensions.u16(0xff01).u16(1).u8(0);                          // renegotiation_info: initial handshake
        byte[] encoded = extensions.toByteArray();
        body.u16(encoded.length).raw(encoded);
        byte[] hello = body.toByteArray();
        return new Bytes().u8(1).u24(hello.length).raw(hello).toByteArray();
    }

    private static byte[] record(byte[] handshake) {
        return new Bytes().u8(HANDSHAKE).u8(3).u8(1).u16(handshake.length).raw(handshake).toByteArray();
    }

    private static final class Bytes extends ByteArrayOutputStream {
        Bytes u8(int value) {
            write(value);
            return this;
        }

        Bytes u16(int value) {
            return u8(value >>> 8).u8(value & 0xff);
        }

        Bytes u24(int value) {
            return u8(value >>> 16).u16(value & 0xffff);
        }

        Bytes raw(byte[] bytes) {
            write(bytes, 0, bytes.length);
            return this;
        }
    }
}
