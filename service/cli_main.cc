// gongkai: the command-line client. Extracts reports in-process (plugin
// registry + pipeline) or through a gongkai-server with --server, and prints
// them as JSON or as CSV rows of figures.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <system_error>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "client_channel.h"
#include "gongkai/pipeline.h"
#include "gongkai/plugin_host.h"
#include "gongkai/v1/extractor.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "report_format.h"
#include "support.h"

ABSL_FLAG(std::string, server, "",
          "HOST:PORT of a gongkai-server; empty: extract in-process");
ABSL_FLAG(std::string, plugin, "",
          "force this plugin instead of detecting the best one");
ABSL_FLAG(std::string, out, "",
          "extract: write DIR/<file name without extension>.json per file "
          "instead of printing JSON");
ABSL_FLAG(bool, csv, false,
          "extract: print path,value rows of every figure (a file column "
          "first when several files are given)");
ABSL_FLAG(std::string, plugin_dir, "",
          "in-process: directory of plugins (default: the build tree's or "
          "the installed lib/gongkai/plugins)");
ABSL_FLAG(int64_t, max_bytes, int64_t{64} << 20,
          "refuse files larger than this many bytes");
ABSL_FLAG(int32_t, timeout_ms, 120000, "--server: deadline of each call");
ABSL_FLAG(std::string, lb_policy, "round_robin",
          "--server: how calls are spread over the addresses the target "
          "resolves to (round_robin or pick_first)");
ABSL_FLAG(std::string, tls_ca, "",
          "--server: PEM CA certificates to verify the server with (turns "
          "TLS on; empty with another --tls_ flag: the system's roots)");
ABSL_FLAG(std::string, tls_cert, "",
          "--server: PEM client certificate for mutual TLS (with --tls_key)");
ABSL_FLAG(std::string, tls_key, "", "--server: PEM key of --tls_cert");
ABSL_FLAG(std::string, tls_server_name, "",
          "--server: the name the server's certificate must carry, if not "
          "the target's host");

namespace gongkai::service {
namespace {

namespace fs = std::filesystem;

constexpr char kUsage[] =
    R"(gongkai: extract government information-disclosure annual reports.

Usage:
  gongkai extract [--server HOST:PORT] [--plugin NAME] [--out DIR] [--csv]
                  [--plugin_dir DIR] FILE...
  gongkai detect  [--server HOST:PORT] [--plugin_dir DIR] FILE...
  gongkai plugins [--server HOST:PORT] [--plugin_dir DIR]

extract prints one file's report as a JSON object; several files as a JSON
array of {"file": PATH, "report": {...}} in the order given. A file that
fails is reported on stderr and left out; the exit code is then 1.

--server takes any gRPC target: HOST:PORT, ipv4:HOST:PORT,HOST:PORT,... or
dns:///NAME:PORT; calls are spread over the addresses with --lb_policy
(round_robin). --tls_ca, --tls_cert, --tls_key, --tls_server_name: TLS.)";

// Where reports come from: the library in this process, or a server.
class Backend {
 public:
  virtual ~Backend() = default;
  virtual absl::StatusOr<v1::Report> Extract(const std::string& document,
                                             const std::string& file_name) = 0;
  virtual absl::StatusOr<v1::DetectResponse> Detect(
      const std::string& document, const std::string& file_name) = 0;
  virtual absl::StatusOr<v1::ListPluginsResponse> ListPlugins() = 0;
};

class LocalBackend final : public Backend {
 public:
  absl::Status Init(const std::string& plugin_dir) {
    // Only refusals are worth a line on every run.
    return LoadPlugins(plugin_dir, &registry_, std::cerr, /*log_loaded=*/false);
  }

  absl::StatusOr<v1::Report> Extract(const std::string& document,
                                     const std::string& file_name) override {
    return pipeline_.Extract(document, Options(file_name));
  }

  absl::StatusOr<v1::DetectResponse> Detect(
      const std::string& document, const std::string& file_name) override {
    auto detected = pipeline_.Detect(document, Options(file_name));
    if (!detected.ok()) return detected.status();
    v1::DetectResponse response;
    for (const PluginScore& s : detected->first) {
      v1::PluginScore* score = response.add_scores();
      score->set_plugin(s.name);
      score->set_score(s.score);
    }
    response.set_charset(detected->second);
    return response;
  }

  absl::StatusOr<v1::ListPluginsResponse> ListPlugins() override {
    v1::ListPluginsResponse response;
    for (const PluginDescription& p : registry_.List()) {
      v1::PluginInfo* info = response.add_plugins();
      info->set_name(SanitizeUtf8(p.name));
      info->set_version(SanitizeUtf8(p.version));
      info->set_description(SanitizeUtf8(p.description));
      info->set_abi_version(p.abi_version);
      info->set_path(SanitizeUtf8(p.path));
    }
    return response;
  }

 private:
  ExtractOptions Options(const std::string& file_name) const {
    ExtractOptions options;
    const std::string plugin = absl::GetFlag(FLAGS_plugin);
    if (!plugin.empty()) options.plugin = plugin;
    options.file_name = file_name;
    options.max_bytes = static_cast<size_t>(absl::GetFlag(FLAGS_max_bytes));
    return options;
  }

  PluginRegistry registry_;
  Pipeline pipeline_{&registry_};
};

class RemoteBackend final : public Backend {
 public:
  explicit RemoteBackend(const std::string& target) : target_(target) {}

  // The target may list several addresses ("ipv4:HOST:PORT,HOST:PORT") or a
  // name with several ("dns:///HOST:PORT"): --lb_policy spreads the calls.
  absl::Status Init() {
    grpc::ChannelArguments args;
    args.SetMaxReceiveMessageSize(-1);
    args.SetMaxSendMessageSize(-1);
    ClientChannelOptions options;
    options.lb_policy = absl::GetFlag(FLAGS_lb_policy);
    options.tls_ca = absl::GetFlag(FLAGS_tls_ca);
    options.tls_cert = absl::GetFlag(FLAGS_tls_cert);
    options.tls_key = absl::GetFlag(FLAGS_tls_key);
    options.tls_server_name = absl::GetFlag(FLAGS_tls_server_name);
    absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
        MakeClientChannel(target_, options, args);
    if (!channel.ok()) return channel.status();
    stub_ = v1::Extractor::NewStub(*channel);
    return absl::OkStatus();
  }

  absl::StatusOr<v1::Report> Extract(const std::string& document,
                                     const std::string& file_name) override {
    v1::ExtractRequest request;
    request.set_document(document);
    request.set_file_name(SanitizeUtf8(file_name));
    const std::string plugin = absl::GetFlag(FLAGS_plugin);
    if (!plugin.empty()) request.set_plugin(plugin);
    v1::Report report;
    grpc::ClientContext context;
    SetDeadline(&context);
    grpc::Status status = stub_->Extract(&context, request, &report);
    if (!status.ok()) return Annotate(status);
    return report;
  }

  absl::StatusOr<v1::DetectResponse> Detect(
      const std::string& document, const std::string& file_name) override {
    v1::DetectRequest request;
    request.set_document(document);
    request.set_file_name(SanitizeUtf8(file_name));
    v1::DetectResponse response;
    grpc::ClientContext context;
    SetDeadline(&context);
    grpc::Status status = stub_->Detect(&context, request, &response);
    if (!status.ok()) return Annotate(status);
    return response;
  }

  absl::StatusOr<v1::ListPluginsResponse> ListPlugins() override {
    v1::ListPluginsResponse response;
    grpc::ClientContext context;
    SetDeadline(&context);
    grpc::Status status =
        stub_->ListPlugins(&context, v1::ListPluginsRequest(), &response);
    if (!status.ok()) return Annotate(status);
    return response;
  }

 private:
  static void SetDeadline(grpc::ClientContext* context) {
    context->set_deadline(
        std::chrono::system_clock::now() +
        std::chrono::milliseconds(absl::GetFlag(FLAGS_timeout_ms)));
  }

  // Says which server when the call itself failed to get through.
  absl::Status Annotate(const grpc::Status& status) const {
    absl::Status s = FromGrpcStatus(status);
    if (status.error_code() == grpc::StatusCode::UNAVAILABLE ||
        status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
      return absl::Status(s.code(),
                          absl::StrCat("server ", target_, ": ", s.message()));
    }
    return s;
  }

  std::string target_;
  std::unique_ptr<v1::Extractor::Stub> stub_;
};

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    return absl::InvalidArgumentError("is a directory");
  }
  const uintmax_t size = fs::file_size(path, ec);
  if (ec) return absl::NotFoundError(ec.message());
  const int64_t max = absl::GetFlag(FLAGS_max_bytes);
  if (size > static_cast<uintmax_t>(max)) {
    return absl::ResourceExhaustedError(
        absl::StrCat("the file is ", size, " bytes, over the limit of ", max,
                     " (--max_bytes)"));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError("cannot open the file");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) return absl::DataLossError("cannot read the file");
  return std::move(buffer).str();
}

void PrintError(const std::string& file, const absl::Status& status) {
  std::cerr << "gongkai: " << file << ": "
            << absl::StatusCodeToString(status.code()) << ": "
            << status.message() << "\n";
}

// Indents every line of a JSON text (string values never hold a raw line
// break, so this cannot alter one).
std::string Indent(const std::string& json, const std::string& by) {
  return by + absl::StrReplaceAll(json, {{"\n", "\n" + by}});
}

// Prints one result object, or an array of {"file", key} objects.
class JsonPrinter {
 public:
  JsonPrinter(bool several, std::string key)
      : several_(several), key_(std::move(key)) {}

  void Print(const std::string& file, const std::string& json) {
    if (!several_) {
      std::cout << json << "\n";
      return;
    }
    std::cout << (count_++ == 0 ? "[\n" : ",\n")
              << "  {\n    \"file\": " << JsonQuote(file) << ",\n    "
              << JsonQuote(key_) << ": " << Indent(json, "    ").substr(4)
              << "\n  }";
  }

  ~JsonPrinter() {
    if (several_) std::cout << (count_ == 0 ? "[]\n" : "\n]\n");
    std::cout.flush();
  }

 private:
  bool several_;
  std::string key_;
  int count_ = 0;
};

int Extract(Backend* backend, const std::vector<std::string>& files) {
  const std::string out_dir = absl::GetFlag(FLAGS_out);
  const bool csv = absl::GetFlag(FLAGS_csv);
  const bool several = files.size() > 1;
  if (!out_dir.empty()) {
    std::error_code ec;
    fs::create_directories(out_dir, ec);
    if (ec) {
      std::cerr << "gongkai: cannot create --out " << out_dir << ": "
                << ec.message() << "\n";
      return 1;
    }
  }
  std::optional<JsonPrinter> json;
  if (out_dir.empty() && !csv) json.emplace(several, "report");
  if (csv) std::cout << (several ? "file,path,value\n" : "path,value\n");

  std::map<std::string, std::string> written;  // output path -> input file
  int exit_code = 0;
  for (const std::string& file : files) {
    absl::StatusOr<std::string> document = ReadFile(file);
    absl::StatusOr<v1::Report> report =
        document.ok()
            ? backend->Extract(*document, fs::path(file).filename().string())
            : document.status();
    absl::StatusOr<std::string> text =
        report.ok() ? ToJson(*report) : report.status();
    if (!text.ok()) {
      PrintError(file, text.status());
      exit_code = 1;
      continue;
    }
    if (!out_dir.empty()) {
      const std::string path =
          (fs::path(out_dir) / fs::path(file).stem()).string() + ".json";
      auto [it, inserted] = written.emplace(path, file);
      if (!inserted) {
        PrintError(file, absl::AlreadyExistsError(absl::StrCat(
                             path, " was already written for ", it->second)));
        exit_code = 1;
        continue;
      }
      std::ofstream out(path, std::ios::trunc);
      out << *text << "\n";
      out.close();
      if (!out) {
        PrintError(file, absl::InternalError("cannot write " + path));
        exit_code = 1;
        continue;
      }
    }
    if (json) json->Print(file, *text);
    if (csv) {
      for (const auto& [path, value] : FigureRows(*report)) {
        if (several) std::cout << CsvField(file) << ",";
        std::cout << CsvField(path) << "," << CsvField(value) << "\n";
      }
    }
  }
  return exit_code;
}

int Detect(Backend* backend, const std::vector<std::string>& files) {
  JsonPrinter json(files.size() > 1, "detect");
  int exit_code = 0;
  for (const std::string& file : files) {
    absl::StatusOr<std::string> document = ReadFile(file);
    absl::StatusOr<v1::DetectResponse> detected =
        document.ok()
            ? backend->Detect(*document, fs::path(file).filename().string())
            : document.status();
    absl::StatusOr<std::string> text =
        detected.ok() ? ToJson(*detected) : detected.status();
    if (!text.ok()) {
      PrintError(file, text.status());
      exit_code = 1;
      continue;
    }
    json.Print(file, *text);
  }
  return exit_code;
}

int Main(int argc, char** argv) {
  absl::SetProgramUsageMessage(kUsage);
  std::vector<char*> args = absl::ParseCommandLine(argc, argv);
  if (args.size() < 2) {
    std::cerr << kUsage << "\n";
    return 2;
  }
  const std::string command = args[1];
  std::vector<std::string> files(args.begin() + 2, args.end());
  if (command != "extract" && command != "detect" && command != "plugins") {
    std::cerr << "gongkai: unknown command \"" << command << "\"\n\n"
              << kUsage << "\n";
    return 2;
  }
  if (command == "plugins" ? !files.empty() : files.empty()) {
    std::cerr << kUsage << "\n";
    return 2;
  }
  if (absl::GetFlag(FLAGS_max_bytes) <= 0) {
    std::cerr << "gongkai: --max_bytes must be positive\n";
    return 2;
  }

  std::unique_ptr<Backend> backend;
  const std::string server = absl::GetFlag(FLAGS_server);
  if (!server.empty()) {
    auto remote = std::make_unique<RemoteBackend>(server);
    if (absl::Status s = remote->Init(); !s.ok()) {
      std::cerr << "gongkai: " << s.message() << "\n";
      return 2;
    }
    backend = std::move(remote);
  } else {
    auto local = std::make_unique<LocalBackend>();
    std::string dir = absl::GetFlag(FLAGS_plugin_dir);
    if (dir.empty()) dir = DefaultPluginDir();
    if (absl::Status s = local->Init(dir); !s.ok()) {
      std::cerr << "gongkai: " << s.message() << "\n";
      return 1;
    }
    backend = std::move(local);
  }

  if (command == "extract") return Extract(backend.get(), files);
  if (command == "detect") return Detect(backend.get(), files);
  absl::StatusOr<v1::ListPluginsResponse> plugins = backend->ListPlugins();
  absl::StatusOr<std::string> text =
      plugins.ok() ? ToJson(*plugins) : plugins.status();
  if (!text.ok()) {
    PrintError(server.empty() ? "plugins" : server, text.status());
    return 1;
  }
  std::cout << *text << "\n";
  return 0;
}

}  // namespace
}  // namespace gongkai::service

int main(int argc, char** argv) { return gongkai::service::Main(argc, argv); }
