import BlendSimCore
import BlendSimPluginHost
import CBlendSimABI
import Foundation
import Testing

/// The ABI's minor-version promise (blendsim_plugin.h): a host loads and runs plugins of every
/// minor version of its major, older or newer, reading only the fields both have.
@Suite("ABI compatibility", .serialized)
struct ABICompatibilityTests {
    /// The frozen sizes are the sizes of the structs, and the 1.0 prefixes end where 1.1 begins.
    @Test func frozenSizesDescribeTheStructs() {
        #expect(MemoryLayout<bs_conditions>.size == Int(BS_CONDITIONS_SIZE_1_0))
        #expect(MemoryLayout<bs_group_info>.size == Int(BS_GROUP_INFO_SIZE_1_0))
        #expect(MemoryLayout<bs_week_context>.size == Int(BS_WEEK_CONTEXT_SIZE_1_3))
        #expect(MemoryLayout<bs_week_context>.offset(of: \.mean_course) == Int(BS_WEEK_CONTEXT_SIZE_1_0))
        #expect(MemoryLayout<bs_week_context>.offset(of: \.semester) == Int(BS_WEEK_CONTEXT_SIZE_1_1))
        #expect(MemoryLayout<bs_chunk>.size == Int(BS_CHUNK_SIZE_1_0))
        #expect(MemoryLayout<bs_model_descriptor>.size == Int(BS_MODEL_DESCRIPTOR_SIZE_1_2))
        #expect(MemoryLayout<bs_model_descriptor>.offset(of: \.evidence) == Int(BS_MODEL_DESCRIPTOR_SIZE_1_0))
        #expect(MemoryLayout<bs_model_descriptor>.offset(of: \.costs) == Int(BS_MODEL_DESCRIPTOR_SIZE_1_1))
        #expect(MemoryLayout<bs_policy_descriptor>.size == Int(BS_POLICY_DESCRIPTOR_SIZE_1_2))
        #expect(MemoryLayout<bs_policy_descriptor>.offset(of: \.evidence) == Int(BS_POLICY_DESCRIPTOR_SIZE_1_0))
        #expect(MemoryLayout<bs_policy_descriptor>.offset(of: \.costs) == Int(BS_POLICY_DESCRIPTOR_SIZE_1_1))
        #expect(PluginHost.abiVersion == "1.3")
    }

    /// `bs_read_struct` — how both sides read the other's structs — copies only the writer's
    /// bytes: a 1.0 week context (88 bytes, ending at an inaccessible page) read by a 1.1 reader
    /// gives mean_course 0 and never touches the byte after it.
    @Test func readingAnOlderStructStopsAtItsSize() throws {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let base = try #require(mmap(nil, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0))
        defer { munmap(base, 2 * page) }
        #expect(mprotect(base + page, page, PROT_NONE) == 0)
        let old = base + page - Int(BS_WEEK_CONTEXT_SIZE_1_0)
        old.initializeMemory(as: UInt8.self, repeating: 0xAB, count: Int(BS_WEEK_CONTEXT_SIZE_1_0))
        old.storeBytes(of: BS_WEEK_CONTEXT_SIZE_1_0, as: UInt32.self)
        var week = bs_week_context()
        week.mean_course = 42
        let size = bs_read_struct(&week, MemoryLayout<bs_week_context>.size, old)
        #expect(size == BS_WEEK_CONTEXT_SIZE_1_0)
        #expect(week.mean_course == 0)
        #expect(week.week == 0xABAB_ABAB)
    }

    /// A plugin built against 1.0 (whose descriptor ends at an inaccessible page) and one that
    /// claims 1.4 (whose descriptor is longer than the host's) both load, list and run; the
    /// manifest records each one's ABI.
    @Test func olderAndNewerMinorVersionsLoadAndRun() throws {
        let directory = TemporaryDirectory()
        _ = try compileFixturePlugin("abi_1_0_model.c", name: "abi-one-zero", into: directory.path)
        _ = try compileFixturePlugin("abi_1_4_policy.c", name: "abi-future", into: directory.path)

        let host = try PluginHost(searchPath: [directory.path])
        let old = try #require(host.model(named: "abi-one-zero"))
        #expect(old.plugin.abiMinor == 0)
        #expect(old.evidence == nil)
        let future = try #require(host.policy(named: "abi-future"))
        #expect(future.plugin.abiMinor == 4)
        #expect(future.costs.isEmpty)
        #expect(future.evidence == "Fixture (2026), a source named through the 1.1 evidence field")

        let listing = try blendsim("plugins", "--plugin-dir", directory.path, "--verbose")
        #expect(listing.status == 0, "\(listing.stderr)")
        #expect(listing.stdout.contains("abi-future: ABI 1.4 (newer than this blendsim's 1.3; what 1.4 adds is not used)"), "\(listing.stdout)")
        #expect(listing.stdout.contains("  the plugin's own evidence note: Fixture (2026), a source named through the 1.1 evidence field"), "\(listing.stdout)")

        let scenario = directory.file("s.yaml", """
            seed: 3
            replications: 2
            baseline: plain
            groups:
              - {name: plain, students: 40, levels: {intermediate: 1}, model: abi-one-zero}
              - {name: supported, students: 40, levels: {intermediate: 1}, model: abi-one-zero, policies: [abi-future]}
            """)
        let out = directory.path + "/out"
        let run = try blendsim("run", scenario, "--plugin-dir", directory.path, "--out", out, "--format", "json")
        #expect(run.status == 0, "\(run.stderr)")
        let summary = try JSONValue.parse(run.stdout)
        guard case .array(let groups)? = summary["groups"] else {
            Issue.record("no groups")
            return
        }
        let motivation = groups.map { $0["motivation"]?["after"]?["mean"]?.doubleValue ?? .nan }
        #expect(motivation[1] > motivation[0], "the 1.4 policy's support reached the kernel: \(motivation)")
        let manifest = try JSONValue.parse(String(contentsOfFile: out + "/manifest.json", encoding: .utf8))
        #expect(manifest["abi"] == .string("1.3"))
        guard case .array(let plugins)? = manifest["plugins"] else {
            Issue.record("no plugins in the manifest")
            return
        }
        #expect(Set(plugins.compactMap { $0["abi"]?.stringValue }) == ["1.0", "1.4"])
    }

    /// A descriptor smaller than ABI 1.0's is refused with its size named.
    @Test func aDescriptorSmallerThanOnePointZeroIsRefused() throws {
        let directory = TemporaryDirectory()
        let source = directory.file("tiny.c", """
            #include "blendsim_plugin.h"
            static int32_t create(void *c, const char *j, void **i, char *e, size_t n) { (void)c; (void)j; (void)e; (void)n; *i = (void *)1; return BS_OK; }
            static void destroy(void *i) { (void)i; }
            static int32_t plan(void *i, const bs_week_context *w, bs_activity *a, uint32_t c, uint32_t *n, char *e, size_t k) { (void)i; (void)w; (void)a; (void)c; (void)e; (void)k; *n = 0; return BS_OK; }
            static const bs_model_descriptor model = {
                .struct_size = 40, .name = "tiny", .summary = "too small", .parameter_schema = "{\\"parameters\\":[]}",
                .create = create, .destroy = destroy, .plan_week = plan,
            };
            static const bs_model_descriptor *const models[] = {&model};
            static const bs_plugin plugin = {.abi_major = 1, .abi_minor = 0, .name = "blendsim-tiny", .version = "1.0.0", .model_count = 1, .models = models};
            const bs_plugin *blendsim_plugin_v1(void) { return &plugin; }
            """)
        let library = try compileFixturePlugin(source, name: "tiny", into: directory.path)
        #expect {
            try PluginHost(searchPath: [directory.path])
        } throws: { error in
            (error as? PluginHostError)?.message == "\(library): a model descriptor has a struct_size of 40 bytes, fewer than ABI 1.0's 72"
        }
    }
}
