"""A loopback stand-in for OpenSearch's _bulk: takes every item, answers errors:false.
Writes the port it listens on to argv[1]."""
import http.server, sys

class Sink(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get('Content-Length', 0)))
        body = b'{"took":1,"errors":false,"items":[]}'
        self.send_response(200)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass

srv = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Sink)
open(sys.argv[1], 'w').write(str(srv.server_address[1]))
srv.serve_forever()
