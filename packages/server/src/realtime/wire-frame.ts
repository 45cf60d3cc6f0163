const FIN_TEXT = 0x81;
const LENGTH_16 = 126;
const LENGTH_64 = 127;

/**
 * One text message framed once for any number of sockets: the frame's JSON in UTF-8, and the bytes of the whole
 * WebSocket frame as a server sends it (RFC 6455 §5.2: FIN, text opcode, unmasked). Writing `bytes` costs one
 * socket write per recipient, where `ws.send` would frame the message again and write header and payload apart.
 */
export class WireFrame {
  readonly bytes: Buffer;

  constructor(readonly payload: Buffer) {
    const length = payload.length;
    const header = length < LENGTH_16 ? 2 : length <= 0xffff ? 4 : 10;
    this.bytes = Buffer.allocUnsafe(header + length);
    this.bytes[0] = FIN_TEXT;
    if (header === 2) this.bytes[1] = length;
    else if (header === 4) {
      this.bytes[1] = LENGTH_16;
      this.bytes.writeUInt16BE(length, 2);
    } else {
      this.bytes[1] = LENGTH_64;
      this.bytes.writeBigUInt64BE(BigInt(length), 2);
    }
    payload.copy(this.bytes, header);
  }

  static of(json: string): WireFrame {
    return new WireFrame(Buffer.from(json));
  }
}
