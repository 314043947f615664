// Benchmarks of typesys: registry lookup, building 10k nested records, writing them to JSON
// and reading them back with validation. nlohmann_json's DOM dump/parse and a bare simdjson
// parse of the same document run alongside; the summary at the end prints the ratios.
//
//   build/bin/bench_typesys [--benchmark_filter=Json]
//
// Figures and how to reproduce them: docs/performance.md.

#include "typesys/compare.h"
#include "typesys/json.h"
#include "typesys/object.h"
#include "typesys/registry.h"
#include "typesys/type_builder.h"
#include "typesys/validate.h"

#include <benchmark/benchmark.h>
#include <nlohmann/json.hpp>
#include <simdjson.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

using namespace typesys;

namespace {

constexpr int kRecords = 10'000;
constexpr int kLookupTypes = 10'000;

// ---- Registry lookup -------------------------------------------------------------------

struct LookupFixture {
    Registry registry;
    std::vector<std::string> keys;

    LookupFixture()
    {
        // Batches of 100: a batch checks its keys pairwise, and plugins register small batches.
        for (int b = 0; b < kLookupTypes; b += 100) {
            std::vector<TypeRef> batch;
            for (int i = b; i < b + 100; ++i) {
                keys.push_back("bench.lookup.Type" + std::to_string(i));
                batch.push_back(TypeBuilder(keys.back())
                                    .field("a", Schema::integer(), Value::fromInt(0))
                                    .field("b", Schema::str(), Value::fromStr(""))
                                    .build());
            }
            registry.registerTypes(std::move(batch), "bench");
        }
    }
    static LookupFixture& get()
    {
        static LookupFixture f;
        return f;
    }
};

void BM_RegistryFindByKey(benchmark::State& state)
{
    auto& f = LookupFixture::get();
    size_t i = 0;
    for (auto _ : state) {
        TypeRef t = f.registry.find(f.keys[i]);
        benchmark::DoNotOptimize(t.get());
        i = (i + 7919) % f.keys.size();   // stride through the table, not one hot entry
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RegistryFindByKey);

void BM_RegistryAtIndex(benchmark::State& state)
{
    auto& f = LookupFixture::get();
    uint32_t i = 0;
    for (auto _ : state) {
        TypeRef t = f.registry.at(i);
        benchmark::DoNotOptimize(t.get());
        i = (i + 7919) % kLookupTypes;
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RegistryAtIndex);

// ---- Records ---------------------------------------------------------------------------

struct Records {
    Registry registry;
    TypeRef point;
    TypeRef record;
    Schema schema = Schema::parse("list[bench.Record]");
    Value value;       // list of kRecords bench.Record
    std::string json;  // toJson(value)

    Records()
    {
        auto types = registry.registerTypes(
            {TypeBuilder("bench.Point")
                 .field("x", Schema::floating())
                 .field("y", Schema::floating())
                 .build(),
             TypeBuilder("bench.Record")
                 .field("id", Schema::integer())
                 .field("name", Schema::str())
                 .field("score", Schema::floating())
                 .field("tags", Schema::list(Schema::str()))
                 .field("origin", Schema::named("bench.Point"))
                 .field("active", Schema::boolean(), Value::fromBool(true))
                 .build()},
            "bench");
        point = types[0];
        record = types[1];
        value = build();
        json = toJson(value);
    }

    static Records& get()
    {
        static Records r;
        return r;
    }

    // Field numbers follow declaration order (no parent).
    Value makeRecord(int i) const
    {
        auto p = ObjectNode::create(point);
        p->setRawFloat(0, i * 0.5);
        p->setRawFloat(1, -i * 0.25 + 0.125);
        auto r = ObjectNode::create(record);
        r->setRawInt(0, i);
        r->set(1, Value::fromStr("record-" + std::to_string(i)));
        r->setRawFloat(2, i * 1.37 + 0.01);
        r->set(3, Value::fromList(ListNode::make({Value::fromStr("alpha"), Value::fromStr("beta"),
                                                  Value::fromStr(i % 2 ? "odd" : "even")})));
        r->set(4, Value::fromObject(std::move(p)));
        r->setRawBool(5, i % 3 == 0);
        return Value::fromObject(std::move(r));
    }

    Value build() const
    {
        std::vector<Value> items;
        items.reserve(kRecords);
        for (int i = 0; i < kRecords; ++i)
            items.push_back(makeRecord(i));
        return Value::fromList(ListNode::make(std::move(items)));
    }
};

void BM_BuildRecords(benchmark::State& state)
{
    auto& r = Records::get();
    for (auto _ : state) {
        Value v = r.build();
        benchmark::DoNotOptimize(v.node());
    }
    state.SetItemsProcessed(state.iterations() * kRecords);
}
BENCHMARK(BM_BuildRecords)->Unit(benchmark::kMillisecond);

// The same records through the checked API (setField validates each value first).
void BM_BuildRecordsValidated(benchmark::State& state)
{
    auto& r = Records::get();
    for (auto _ : state) {
        std::vector<Value> items;
        items.reserve(kRecords);
        for (int i = 0; i < kRecords; ++i) {
            auto p = ObjectNode::create(r.point);
            setField(*p, 0, Value::fromFloat(i * 0.5), r.registry);
            setField(*p, 1, Value::fromFloat(-i * 0.25 + 0.125), r.registry);
            auto o = ObjectNode::createWithDefaults(r.record);
            setField(*o, 0, Value::fromInt(i), r.registry);
            setField(*o, 1, Value::fromStr("record-" + std::to_string(i)), r.registry);
            setField(*o, 2, Value::fromFloat(i * 1.37 + 0.01), r.registry);
            setField(*o, 3,
                     Value::fromList(ListNode::make({Value::fromStr("alpha"), Value::fromStr("beta"),
                                                     Value::fromStr(i % 2 ? "odd" : "even")})),
                     r.registry);
            setField(*o, 4, Value::fromObject(std::move(p)), r.registry);
            setField(*o, 5, Value::fromBool(i % 3 == 0), r.registry);
            items.push_back(Value::fromObject(std::move(o)));
        }
        Value v = Value::fromList(ListNode::make(std::move(items)));
        benchmark::DoNotOptimize(v.node());
    }
    state.SetItemsProcessed(state.iterations() * kRecords);
}
BENCHMARK(BM_BuildRecordsValidated)->Unit(benchmark::kMillisecond);

void BM_JsonWrite(benchmark::State& state)
{
    auto& r = Records::get();
    std::string out;
    for (auto _ : state) {
        out.clear();   // keeps the capacity, as a caller streaming documents would
        appendJson(out, r.value);
        benchmark::DoNotOptimize(out.data());
    }
    state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(r.json.size()));
}
BENCHMARK(BM_JsonWrite)->Unit(benchmark::kMillisecond);

// toJson into a fresh string each time (includes the buffer growth).
void BM_JsonWriteFresh(benchmark::State& state)
{
    auto& r = Records::get();
    for (auto _ : state) {
        std::string out = toJson(r.value);
        benchmark::DoNotOptimize(out.data());
    }
    state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(r.json.size()));
}
BENCHMARK(BM_JsonWriteFresh)->Unit(benchmark::kMillisecond);

void BM_JsonReadValidated(benchmark::State& state)
{
    auto& r = Records::get();
    for (auto _ : state) {
        Value v = fromJson(r.json, r.schema, r.registry);
        benchmark::DoNotOptimize(v.node());
    }
    state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(r.json.size()));
}
BENCHMARK(BM_JsonReadValidated)->Unit(benchmark::kMillisecond);

// ---- Peers -----------------------------------------------------------------------------

void BM_NlohmannDump(benchmark::State& state)
{
    auto& r = Records::get();
    nlohmann::json dom = nlohmann::json::parse(r.json);
    for (auto _ : state) {
        std::string out = dom.dump();
        benchmark::DoNotOptimize(out.data());
    }
    state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(r.json.size()));
}
BENCHMARK(BM_NlohmannDump)->Unit(benchmark::kMillisecond);

void BM_NlohmannParse(benchmark::State& state)
{
    auto& r = Records::get();
    for (auto _ : state) {
        nlohmann::json dom = nlohmann::json::parse(r.json);
        benchmark::DoNotOptimize(&dom);
    }
    state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(r.json.size()));
}
BENCHMARK(BM_NlohmannParse)->Unit(benchmark::kMillisecond);

// The parse alone, without building or validating values: the floor for BM_JsonReadValidated.
void BM_SimdjsonParse(benchmark::State& state)
{
    auto& r = Records::get();
    simdjson::dom::parser parser;
    simdjson::padded_string padded(r.json);
    for (auto _ : state) {
        simdjson::dom::element root;
        if (parser.parse(padded).get(root))
            state.SkipWithError("simdjson parse failed");
        benchmark::DoNotOptimize(&root);
    }
    state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(r.json.size()));
}
BENCHMARK(BM_SimdjsonParse)->Unit(benchmark::kMillisecond);

// ---- Summary ---------------------------------------------------------------------------

// Console output as usual, then the throughput ratios against the peers. With
// --benchmark_repetitions=N the summary takes each benchmark's best repetition (the machine
// this runs on is shared and noisy; interference only ever makes a run slower).
class RatioReporter : public benchmark::ConsoleReporter {
public:
    void ReportRuns(const std::vector<Run>& runs) override
    {
        ConsoleReporter::ReportRuns(runs);
        for (const Run& run : runs) {
            auto it = run.counters.find("bytes_per_second");
            if (it == run.counters.end())
                continue;
            std::string name = run.run_name.function_name;
            if (run.run_type == Run::RT_Iteration)
                m_rate[name] = std::max(m_rate[name], double(it->second));
            else if (run.aggregate_name == "median" && !m_rate.count(name))
                m_rate[name] = it->second;   // --benchmark_report_aggregates_only
        }
    }
    void Finalize() override
    {
        ConsoleReporter::Finalize();
        auto ratio = [&](const char* label, const char* a, const char* b) {
            if (m_rate.count(a) && m_rate.count(b) && m_rate[b] > 0)
                std::printf("%-44s %7.1f MB/s vs %7.1f MB/s  = %5.2fx\n", label, m_rate[a] / 1e6,
                            m_rate[b] / 1e6, m_rate[a] / m_rate[b]);
        };
        std::printf("\nThroughput ratios (best run; MB = 10^6 bytes, the table above shows MiB as M):\n");
        ratio("write: typesys toJson / nlohmann dump", "BM_JsonWrite", "BM_NlohmannDump");
        ratio("read: typesys fromJson / nlohmann parse", "BM_JsonReadValidated", "BM_NlohmannParse");
        ratio("read: typesys fromJson / simdjson parse", "BM_JsonReadValidated", "BM_SimdjsonParse");
        auto target = [&](const char* label, const char* name, double mbps) {
            if (m_rate.count(name))
                std::printf("%-44s %7.1f MB/s (target >= %.0f): %s\n", label, m_rate[name] / 1e6,
                            mbps, m_rate[name] / 1e6 >= mbps ? "met" : "MISSED");
        };
        target("target: write", "BM_JsonWrite", 400);
        target("target: read with validation", "BM_JsonReadValidated", 150);
    }

private:
    std::map<std::string, double> m_rate;
};

} // namespace

int main(int argc, char** argv)
{
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv))
        return 1;
    {
        auto& r = Records::get();
        // The document must read back as the same value, or the figures mean nothing.
        if (!equals(fromJson(r.json, r.schema, r.registry), r.value)) {
            std::fprintf(stderr, "bench_typesys: the JSON document does not round-trip\n");
            return 1;
        }
        std::printf("document: %d records, %zu bytes\n", kRecords, r.json.size());
    }
    RatioReporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    benchmark::Shutdown();
    return 0;
}
