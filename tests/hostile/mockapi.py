#!/usr/bin/env python3
# Tiny stand-in for the Anthropic Messages and OpenAI Chat Completions APIs on 127.0.0.1.
# Answers every echo request with a correct reply; reports 1000 input / 500 output tokens.
# Usage: mockapi.py PORTFILE   (binds port 0, writes the port to PORTFILE)
import http.server, json, sys, re, struct
def csum(b):
    if len(b) % 2: b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b)//2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff
def answer(txt):
    m = re.findall(r'([0-9a-f]{40,})', txt)
    if not m: return "NO REPLY"
    p = bytearray(bytes.fromhex(m[-1]))
    if p[0] >> 4 != 4: return "NO REPLY"
    ihl = (p[0] & 15) * 4
    p[12:16], p[16:20] = p[16:20], p[12:16]; p[8] = 64
    p[10:12] = b'\0\0'; p[10:12] = struct.pack('!H', csum(bytes(p[:ihl])))
    p[ihl] = 0; p[ihl+2:ihl+4] = b'\0\0'; c = csum(bytes(p[ihl:])) or 0xffff
    p[ihl+2:ihl+4] = struct.pack('!H', c)
    return "```hex\n" + p.hex() + "\n```"
class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get('content-length', 0)))
        req = json.loads(body); a = answer(json.dumps(req))
        if self.path.endswith('/messages'):
            r = {'id': 'm', 'type': 'message', 'role': 'assistant', 'model': req.get('model'),
                 'content': [{'type': 'text', 'text': a}], 'stop_reason': 'end_turn',
                 'usage': {'input_tokens': 1000, 'output_tokens': 500}}
        else:
            r = {'id': 'c', 'object': 'chat.completion', 'model': req.get('model'),
                 'choices': [{'index': 0, 'message': {'role': 'assistant', 'content': a}, 'finish_reason': 'stop'}],
                 'usage': {'prompt_tokens': 1000, 'completion_tokens': 500, 'total_tokens': 1500}}
        b = json.dumps(r).encode()
        self.send_response(200); self.send_header('content-type', 'application/json')
        self.send_header('content-length', str(len(b))); self.end_headers(); self.wfile.write(b)
s = http.server.ThreadingHTTPServer(('127.0.0.1', 0), H)
open(sys.argv[1], 'w').write(str(s.server_address[1]))
s.serve_forever()
