#!/usr/bin/python3
"""Checks the deployment files with what can check them on this machine.

Docker has no engine here and there is no cluster, so: the Kubernetes YAML
is parsed (python3-yaml) and its schema-shaped essentials checked (kinds,
apiVersions, gRPC probes on the serving port, selectors matching the pod
labels, PDB and HPA aimed at the Deployment, resource requests); the
Dockerfile's stages, user and flags are read; `haproxy -c`, `nginx -t` and
`systemd-analyze verify` run when installed; and every gongkai-server flag
the files pass must be one the built server knows.

Usage: deploy_config_test.py SOURCE_DIR GONGKAI_SERVER
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

import yaml

SOURCE = None
SERVER = None


def deploy(*parts):
    return os.path.join(SOURCE, "deploy", *parts)


def server_flags():
    out = subprocess.run([SERVER, "--helpfull"], capture_output=True,
                         text=True, timeout=60)
    return set(re.findall(r"^\s+--(\w+)", out.stdout + out.stderr, re.M))


def flag_names(args):
    return [re.match(r"--(\w+)", a).group(1) for a in args
            if a.startswith("--")]


class KubernetesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.docs = []
        with open(deploy("k8s", "kustomization.yaml")) as f:
            kustomization = yaml.safe_load(f)
        cls.resources = kustomization["resources"]
        for name in cls.resources:
            with open(deploy("k8s", name)) as f:
                cls.docs += [d for d in yaml.safe_load_all(f) if d]
        cls.by_kind = {}
        for d in cls.docs:
            cls.by_kind.setdefault(d["kind"], []).append(d)

    def test_every_manifest_is_listed_in_the_kustomization(self):
        on_disk = sorted(f for f in os.listdir(deploy("k8s"))
                         if f.endswith(".yaml") and f != "kustomization.yaml")
        self.assertEqual(sorted(self.resources), on_disk)

    def test_kinds_and_api_versions(self):
        want = {"Deployment": "apps/v1", "Service": "v1",
                "HorizontalPodAutoscaler": "autoscaling/v2",
                "PodDisruptionBudget": "policy/v1"}
        self.assertEqual(set(self.by_kind), set(want))
        for d in self.docs:
            self.assertEqual(d["apiVersion"], want[d["kind"]], d["kind"])
            self.assertTrue(d["metadata"]["name"])
        self.assertEqual(len(self.by_kind["Service"]), 2)

    def deployment(self):
        (d,) = self.by_kind["Deployment"]
        return d

    def pod_labels(self):
        return self.deployment()["spec"]["template"]["metadata"]["labels"]

    def container(self):
        (c,) = self.deployment()["spec"]["template"]["spec"]["containers"]
        return c

    def ports(self):
        return {p["name"]: p["containerPort"] for p in self.container()["ports"]}

    def assertSelects(self, selector, what):
        self.assertTrue(selector, what + " has an empty selector")
        for key, value in selector.items():
            self.assertEqual(self.pod_labels().get(key), value,
                             "%s selects %s=%s, not a pod label"
                             % (what, key, value))

    def test_deployment_selector_matches_its_pods(self):
        self.assertSelects(self.deployment()["spec"]["selector"]["matchLabels"],
                           "the Deployment")

    def test_probes_are_grpc_on_the_serving_port(self):
        c = self.container()
        listen = [a for a in c["args"] if a.startswith("--listen=")]
        self.assertEqual(len(listen), 1)
        port = int(listen[0].rsplit(":", 1)[1])
        self.assertEqual(self.ports()["grpc"], port)
        for probe in ("readinessProbe", "livenessProbe"):
            self.assertIn("grpc", c[probe], probe + " is not a gRPC probe")
            self.assertEqual(c[probe]["grpc"]["port"], port, probe)
        # Readiness asks for the Extractor itself, which turns NOT_SERVING
        # at SIGTERM; liveness asks for the server as a whole.
        self.assertEqual(c["readinessProbe"]["grpc"].get("service"),
                         "gongkai.v1.Extractor")

    def test_metrics_port_matches_the_flag(self):
        metrics = [a for a in self.container()["args"]
                   if a.startswith("--metrics_listen=")]
        self.assertEqual(len(metrics), 1)
        self.assertEqual(int(metrics[0].rsplit(":", 1)[1]),
                         self.ports()["metrics"])

    def test_resources_and_shutdown(self):
        c = self.container()
        self.assertIn("cpu", c["resources"]["requests"])
        self.assertIn("memory", c["resources"]["requests"])
        spec = self.deployment()["spec"]["template"]["spec"]
        grace = [int(a.split("=")[1]) for a in c["args"]
                 if a.startswith("--shutdown_grace_ms=")]
        timeout = [int(a.split("=")[1]) for a in c["args"]
                   if a.startswith("--shutdown_timeout_ms=")]
        self.assertTrue(grace and timeout)
        self.assertGreater(spec["terminationGracePeriodSeconds"] * 1000,
                           grace[0] + timeout[0])
        self.assertTrue(spec["securityContext"]["runAsNonRoot"])

    def test_services_select_the_pods_and_name_their_ports(self):
        headless = 0
        for s in self.by_kind["Service"]:
            self.assertSelects(s["spec"]["selector"], s["metadata"]["name"])
            for p in s["spec"]["ports"]:
                self.assertIn(p["targetPort"], self.ports())
            if s["spec"].get("clusterIP") == "None":
                headless += 1
        self.assertEqual(headless, 1, "one headless Service for round_robin")

    def test_hpa_and_pdb_target_the_deployment(self):
        (hpa,) = self.by_kind["HorizontalPodAutoscaler"]
        target = hpa["spec"]["scaleTargetRef"]
        self.assertEqual(target["kind"], "Deployment")
        self.assertEqual(target["apiVersion"], "apps/v1")
        self.assertEqual(target["name"], self.deployment()["metadata"]["name"])
        self.assertLessEqual(hpa["spec"]["minReplicas"],
                             hpa["spec"]["maxReplicas"])
        (pdb,) = self.by_kind["PodDisruptionBudget"]
        self.assertSelects(pdb["spec"]["selector"]["matchLabels"], "the PDB")
        self.assertLess(pdb["spec"]["minAvailable"], hpa["spec"]["minReplicas"])

    def test_server_flags_exist(self):
        known = server_flags()
        for flag in flag_names(self.container()["args"]):
            self.assertIn(flag, known)


class DockerfileTest(unittest.TestCase):
    def setUp(self):
        with open(deploy("docker", "Dockerfile")) as f:
            # Continuation lines joined, comments dropped.
            text = re.sub(r"\\\n", " ", f.read())
        self.lines = [l.strip() for l in text.splitlines()
                      if l.strip() and not l.strip().startswith("#")]

    def test_multi_stage_on_debian_12(self):
        froms = [l.split() for l in self.lines if l.startswith("FROM ")]
        self.assertGreaterEqual(len(froms), 2)
        for f in froms:
            self.assertTrue(f[1].startswith("debian:bookworm"), f)
        self.assertTrue(any(l.startswith("COPY --from=") for l in self.lines))

    def test_runs_as_a_non_root_user(self):
        users = [l.split()[1] for l in self.lines if l.startswith("USER ")]
        self.assertTrue(users)
        self.assertNotIn(users[-1].split(":")[0], ("root", "0"))

    def test_build_stage_installs_what_the_build_needs(self):
        # run.sh's PACKAGES are what a build and its tests need; the image
        # builds without tests, so only the test tools may be left out.
        with open(os.path.join(SOURCE, "run.sh")) as f:
            listed = re.search(r"^PACKAGES=\((.*?)^\)", f.read(),
                               re.M | re.S).group(1)
        needed = set(re.sub(r"#.*", "", listed).split()) - {
            "haproxy", "nginx", "python3-grpcio", "python3-yaml", "openssl",
            "libgtest-dev", "libgmock-dev", "libopencc-data"}
        build = self.lines[:[i for i, l in enumerate(self.lines)
                             if l.startswith("FROM ")][1]]
        installed = set(" ".join(l for l in build
                                 if "apt-get install" in l).split())
        self.assertEqual(needed - installed, set())

    def test_plugins_directory_and_flags(self):
        cmd = [l for l in self.lines if l.startswith("CMD ")][-1]
        args = re.findall(r'"(--[^"]+)"', cmd)
        known = server_flags()
        for flag in flag_names(args):
            self.assertIn(flag, known)
        self.assertTrue(any(a.startswith("--plugin_dir=") for a in args))


class SystemdTest(unittest.TestCase):
    def unit(self):
        with open(deploy("systemd", "gongkai@.service")) as f:
            return f.read()

    def test_flags_exist(self):
        execstart = re.search(r"^ExecStart=(.*?)(?<!\\)$",
                              self.unit(), re.M | re.S).group(1)
        known = server_flags()
        for flag in flag_names(execstart.replace("\\\n", " ").split()):
            self.assertIn(flag, known)

    @unittest.skipUnless(shutil.which("systemd-analyze"),
                         "systemd-analyze is not installed")
    def test_systemd_analyze_verify(self):
        with tempfile.TemporaryDirectory() as d:
            # An instance of the template, run as root (the gongkai user
            # does not exist here) with the built server.
            path = os.path.join(d, "gongkai@1.service")
            text = self.unit().replace("/usr/local/bin/gongkai-server", SERVER)
            text = re.sub(r"^(User|Group)=.*$", "", text, flags=re.M)
            with open(path, "w") as f:
                f.write(text)
            r = subprocess.run(["systemd-analyze", "verify", path],
                               capture_output=True, text=True, timeout=60)
            problems = [l for l in (r.stdout + r.stderr).splitlines()
                        if "gongkai@1.service" in l]
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            self.assertEqual(problems, [])


class ProxyConfigTest(unittest.TestCase):
    @unittest.skipUnless(os.access("/usr/sbin/haproxy", os.X_OK),
                         "haproxy is not installed")
    def test_haproxy_config_is_valid(self):
        r = subprocess.run(["/usr/sbin/haproxy", "-c", "-f",
                            deploy("haproxy", "haproxy.cfg")],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_haproxy_speaks_h2_on_both_sides(self):
        with open(deploy("haproxy", "haproxy.cfg")) as f:
            lines = [l.split("#")[0].split() for l in f]
        binds = [l for l in lines if l[:1] == ["bind"] and "50050" in l[1]]
        servers = [l for l in lines if l[:1] == ["server"]]
        self.assertEqual(len(binds), 1)
        self.assertIn("h2", binds[0][binds[0].index("proto") + 1:][:1])
        self.assertEqual(len(servers), 3)
        for s in servers:
            self.assertEqual(s[s.index("proto") + 1], "h2", s)
            self.assertIn("check", s)
            self.assertEqual(s[s.index("check-proto") + 1], "h1", s)

    @unittest.skipUnless(os.access("/usr/sbin/nginx", os.X_OK),
                         "nginx is not installed")
    def test_nginx_config_is_valid(self):
        r = subprocess.run(["/usr/sbin/nginx", "-t", "-c",
                            deploy("nginx", "gongkai.conf")],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_nginx_pitfalls(self):
        with open(deploy("nginx", "gongkai.conf")) as f:
            text = re.sub(r"#.*", "", f.read())
        self.assertRegex(text, r"listen\s+[^;]*\bhttp2\b")
        keepalive = int(re.search(r"\bkeepalive\s+(\d+);", text).group(1))
        self.assertGreaterEqual(keepalive, 32)  # the calls in flight
        for n in re.findall(r"keepalive_requests\s+(\d+);", text):
            self.assertGreaterEqual(int(n), 100000)
        size = re.search(r"client_max_body_size\s+(\d+)m;", text)
        self.assertGreater(int(size.group(1)), 64)  # --max_message_bytes


if __name__ == "__main__":
    SOURCE, SERVER = sys.argv[1], sys.argv[2]
    unittest.main(argv=sys.argv[:1], verbosity=2)
