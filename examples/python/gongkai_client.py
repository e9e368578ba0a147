#!/usr/bin/python3
"""A Python client of gongkai-server (gongkai.v1.Extractor).

Generates its stubs from the repository's proto/ at run time into a
temporary directory, so nothing generated is checked in and the stubs always
match the protos. Needs Debian's python3-grpcio and protoc with the gRPC
Python plugin (protobuf-compiler, protobuf-compiler-grpc). Run it with
/usr/bin/python3: a python3 earlier on PATH may not see Debian's grpcio.

  gongkai_client.py [--server TARGET] extract FILE...   reports as JSON
  gongkai_client.py [--server TARGET] extract --figure PATH FILE
                                                  one figure, e.g.
                                                  applications.new_received.total
  gongkai_client.py [--server TARGET] plugins      the loaded plugins

TARGET is a gRPC target: HOST:PORT, a list "ipv4:HOST:PORT,HOST:PORT" or
"dns:///NAME:PORT"; calls are spread with round_robin over every address
and UNAVAILABLE (or a CANCELLED it did not ask for) is retried with backoff. --tls_ca/--tls_cert/--tls_key turn
on (mutual) TLS.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_PROTO_DIR = os.path.normpath(os.path.join(HERE, "..", "..", "proto"))
PROTOS = ["gongkai/v1/report.proto", "gongkai/v1/extractor.proto"]


def generate_stubs(proto_dir, out_dir):
    """Compiles the protos into out_dir with protoc and the gRPC plugin.

    Debian's python3-grpc-tools (1.14) bundles a protoc too old for proto3
    `optional`, which report.proto uses, so the system protoc (the same
    protobuf release as python3-protobuf) and grpc_python_plugin are used;
    grpc_tools is only a fallback for machines without them.
    """
    files = [os.path.join(proto_dir, p) for p in PROTOS]
    protoc = shutil.which("protoc")
    plugin = shutil.which("grpc_python_plugin")
    if protoc and plugin:
        cmd = [protoc, "-I" + proto_dir, "--python_out=" + out_dir,
               "--grpc_python_out=" + out_dir,
               "--plugin=protoc-gen-grpc_python=" + plugin] + files
    else:
        cmd = [sys.executable, "-m", "grpc_tools.protoc", "-I" + proto_dir,
               "--python_out=" + out_dir, "--grpc_python_out=" + out_dir] + files
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit("gongkai_client: cannot compile the protos in %s:\n%s"
                 % (proto_dir, result.stderr))
    for d in ("gongkai", os.path.join("gongkai", "v1")):
        open(os.path.join(out_dir, d, "__init__.py"), "a").close()
    sys.path.insert(0, out_dir)


def service_config():
    return json.dumps({
        "loadBalancingConfig": [{"round_robin": {}}],
        "methodConfig": [{
            "name": [{"service": "gongkai.v1.Extractor"}],
            "retryPolicy": {
                "maxAttempts": 4, "initialBackoff": "0.1s",
                "maxBackoff": "2s", "backoffMultiplier": 2,
                "retryableStatusCodes": ["UNAVAILABLE", "CANCELLED"],
            },
        }],
    })


def make_channel(grpc, args):
    options = [("grpc.service_config", service_config()),
               ("grpc.enable_retries", 1),
               ("grpc.max_receive_message_length", -1),
               ("grpc.max_send_message_length", -1)]
    if args.tls_ca or args.tls_cert or args.tls_server_name:
        def read(path):
            with open(path, "rb") as f:
                return f.read()
        creds = grpc.ssl_channel_credentials(
            root_certificates=read(args.tls_ca) if args.tls_ca else None,
            private_key=read(args.tls_key) if args.tls_key else None,
            certificate_chain=read(args.tls_cert) if args.tls_cert else None)
        if args.tls_server_name:
            options.append(("grpc.ssl_target_name_override",
                            args.tls_server_name))
        return grpc.secure_channel(args.server, creds, options=options)
    return grpc.insecure_channel(args.server, options=options)


def figure(report_dict, path):
    """The value at a dotted path of the report's JSON form, or None."""
    value = report_dict
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--server", default="127.0.0.1:50051")
    parser.add_argument("--proto_dir", default=DEFAULT_PROTO_DIR)
    parser.add_argument("--timeout", type=float, default=120.0,
                        help="seconds per call")
    parser.add_argument("--tls_ca")
    parser.add_argument("--tls_cert")
    parser.add_argument("--tls_key")
    parser.add_argument("--tls_server_name")
    sub = parser.add_subparsers(dest="command", required=True)
    extract = sub.add_parser("extract")
    extract.add_argument("--figure", help="print only this dotted path")
    extract.add_argument("files", nargs="+")
    sub.add_parser("plugins")
    args = parser.parse_args()

    try:
        import grpc
        from google.protobuf import json_format
    except ImportError as e:
        sys.exit("gongkai_client: %s (apt-get install python3-grpcio; run "
                 "with /usr/bin/python3)" % e)

    with tempfile.TemporaryDirectory(prefix="gongkai-stubs-") as out_dir:
        generate_stubs(args.proto_dir, out_dir)
        from gongkai.v1 import extractor_pb2, extractor_pb2_grpc

        with make_channel(grpc, args) as channel:
            stub = extractor_pb2_grpc.ExtractorStub(channel)
            if args.command == "plugins":
                answer = stub.ListPlugins(extractor_pb2.ListPluginsRequest(),
                                          timeout=args.timeout)
                print(json_format.MessageToJson(
                    answer, preserving_proto_field_name=True))
                return 0
            exit_code = 0
            outputs = []
            for path in args.files:
                with open(path, "rb") as f:
                    request = extractor_pb2.ExtractRequest(
                        document=f.read(), file_name=os.path.basename(path))
                try:
                    report = stub.Extract(request, timeout=args.timeout)
                except grpc.RpcError as e:
                    print("gongkai_client: %s: %s: %s"
                          % (path, e.code().name, e.details()), file=sys.stderr)
                    exit_code = 1
                    continue
                as_dict = json_format.MessageToDict(
                    report, preserving_proto_field_name=True)
                if args.figure:
                    value = figure(as_dict, args.figure)
                    if value is None:
                        print("gongkai_client: %s: no figure %s"
                              % (path, args.figure), file=sys.stderr)
                        exit_code = 1
                        continue
                    outputs.append(str(value))
                else:
                    outputs.append(json.dumps(as_dict, ensure_ascii=False,
                                              indent=1))
            if outputs:
                print("\n".join(outputs))
            return exit_code


if __name__ == "__main__":
    sys.exit(main())
