using System.Net;
using Crm.IntegrationTests.Infrastructure;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Identity.Domain;
using Crm.Modules.Integration.Domain;
using Crm.Modules.Sales.Features.Leads;
using static Crm.IntegrationTests.Integration.ImportApi;

namespace Crm.IntegrationTests.Sales.Leads;

internal sealed class LeadImportTests : IntegrationTest
{
    private TestUser _manager = null!;
    private TestUser _rep1 = null!;
    private TestUser _rep2 = null!;
    private TestUser _rep3 = null!;
    private HttpClient _client = null!;

    [SetUp]
    public async Task CreateTeamAsync()
    {
        var team = await TestUsers.CreateTeamAsync(Factory, "线索导入组", TeamKind.Group);
        _manager = await TestUsers.CreateAsync(Factory, Roles.SalesManager, team);
        _rep1 = await TestUsers.CreateAsync(Factory, Roles.SalesRep, team);
        _rep2 = await TestUsers.CreateAsync(Factory, Roles.SalesRep, team);
        _rep3 = await TestUsers.CreateAsync(Factory, Roles.SalesRep, team);
        _client = Factory.ClientFor(_manager);

        // Guangdong leads rotate between rep1 and rep2; leads from elsewhere match no rule.
        var rule = await _client.PostAsync("/api/v1/sales/assignment-rules", JsonBody(new
        {
            name = "广东", position = 1, strategy = "roundRobin", provinces = new[] { "广东省" }, userIds = new[] { _rep1.Id, _rep2.Id },
        }));
        Assert.That(rule.StatusCode, Is.EqualTo(HttpStatusCode.Created), await rule.Content.ReadAsStringAsync());
    }

    [TearDown]
    public void DisposeManager() => _client.Dispose();

    private string LeadsCsv() => $"""
        公司名称,姓名,手机,邮箱,省份,行业,来源,评分,预计金额,代理商,负责人
        深圳云帆科技有限公司,陈思,138-0013-8000,Chen.Si@YunFan.cn,广东省,制造业,exhibition,70,120000.50,华南代理,
        广州明达贸易,李明,139-0000-0001,liming@mingda.cn,广东省,贸易,website,,,,
        佛山精工,王强,137-0000-0002,wq@jinggong.cn,广东省,制造业,website,,,,
        杭州云栖,赵敏,136-0000-0003,zm@yunqi.cn,浙江省,互联网,referral,55,,,
        成都熊猫,周杰,135-0000-0004,zj@panda.cn,四川省,餐饮,website,,,,{_rep3.Email}
        """;

    [Test]
    public async Task A_csv_with_chinese_headers_creates_leads_and_the_rules_assign_the_rows_without_owner_in_rotation()
    {
        var partnerId = await LeadApi.SeedPartnerAsync(Factory.Services, "华南代理");

        var report = await ImportAsync(_client, "leads", Csv(LeadsCsv()));

        Assert.That((report.Status, report.Created, report.Rejected), Is.EqualTo((ImportJobStatus.Succeeded, 5L, 0L)), string.Join("; ", report.Errors.Select(e => $"{e.Row} {e.Column}: {e.Message}")));
        var page = await LeadApi.ListAsync(_client, "?limit=10&sort=createdAt");
        var byCompany = page.Items.ToDictionary(l => l.CompanyName!);
        var yunfan = byCompany["深圳云帆科技有限公司"];
        Assert.Multiple(() =>
        {
            Assert.That(yunfan.Phones, Is.EqualTo(new[] { "13800138000" }));
            Assert.That(yunfan.Emails, Is.EqualTo(new[] { "chen.si@yunfan.cn" }));
            Assert.That(yunfan.Score, Is.EqualTo(70));
            Assert.That(yunfan.EstimatedValue, Is.EqualTo(120000.50m));
            Assert.That(yunfan.PartnerId, Is.EqualTo(partnerId));
            Assert.That(yunfan.Source, Is.EqualTo("exhibition"));

            // File order through one rotation: rep1, rep2, rep1; Zhejiang matches no rule; the named owner wins.
            Assert.That(new[] { yunfan.OwnerId, byCompany["广州明达贸易"].OwnerId, byCompany["佛山精工"].OwnerId }, Is.EqualTo(new Guid?[] { _rep1.Id, _rep2.Id, _rep1.Id }));
            Assert.That(byCompany["杭州云栖"].OwnerId, Is.Null);
            Assert.That(byCompany["成都熊猫"].OwnerId, Is.EqualTo(_rep3.Id));
        });

        var found = await LeadApi.ListAsync(_client, "?q=" + Uri.EscapeDataString("8000"));
        Assert.That(found.Items.Select(l => l.CompanyName), Does.Contain("深圳云帆科技有限公司"), "the search text is derived as the API derives it");
        Assert.That(await CountAsync("SELECT count(*) FROM platform.audit_entries WHERE entity_type = 'lead' AND action = 'created' AND affected_count IS NOT NULL"), Is.GreaterThanOrEqualTo(1));
    }

    [Test]
    public async Task Running_the_same_file_again_changes_nothing_and_a_changed_cell_updates_only_that_lead()
    {
        await LeadApi.SeedPartnerAsync(Factory.Services, "华南代理");
        await ImportAsync(_client, "leads", Csv(LeadsCsv()));
        var rotation = await CountAsync("SELECT rotation FROM sales.assignment_rules");
        var versions = await CountAsync("SELECT sum(xmin::text::bigint) FROM sales.leads");

        var again = await ImportAsync(_client, "leads", Csv(LeadsCsv()));

        Assert.Multiple(async () =>
        {
            Assert.That((again.Created, again.Updated, again.Unchanged, again.Rejected), Is.EqualTo((0L, 0L, 5L, 0L)));
            Assert.That(await CountAsync("SELECT count(*) FROM sales.leads"), Is.EqualTo(5));
            Assert.That(await CountAsync("SELECT rotation FROM sales.assignment_rules"), Is.EqualTo(rotation), "no rule ran for matched rows");
            Assert.That(await CountAsync("SELECT sum(xmin::text::bigint) FROM sales.leads"), Is.EqualTo(versions), "no row was rewritten");
        });

        var changed = await ImportAsync(_client, "leads", Csv("邮箱,评分,手机\nCHEN.SI@yunfan.cn,90,13800138000\nzm@yunqi.cn,55,136-0000-0003\n"));
        Assert.That((changed.Created, changed.Updated, changed.Unchanged), Is.EqualTo((0L, 1L, 1L)));
        Assert.That(await CountAsync("SELECT count(*) FROM sales.leads WHERE score = 90 AND company_name = '深圳云帆科技有限公司' AND industry = '制造业'"), Is.EqualTo(1), "absent columns keep their values");
    }

    [Test]
    public async Task Bad_rows_are_rejected_with_their_line_and_column_and_the_valid_rows_are_imported()
    {
        var csv = $"""
            companyName,personName,phones,emails,score,partnerName,ownerEmail,campaignId
            好线索,张三,13800000001,good@example.cn,80,,,
            坏评分,李四,13800000002,score@example.cn,101,,,
            坏邮箱,王五,13800000003,not-an-email,,,,
            无代理,赵六,13800000004,partner@example.cn,,不存在的代理,,
            重复,孙七,13800000005,good@example.cn,,,,
            无人,周八,13800000006,owner@example.cn,,,nobody@example.cn,
            坏活动,吴九,13800000007,campaign@example.cn,,,,not-a-guid
            ,,13800000008,,,,,
            """;

        var report = await ImportAsync(_client, "leads", Csv(csv));

        var errors = report.Errors.Select(e => (e.Row, e.Column)).ToList();
        Assert.Multiple(() =>
        {
            Assert.That((report.Created, report.Rejected), Is.EqualTo((1L, 7L)), string.Join("; ", report.Errors.Select(e => $"{e.Row} {e.Column}: {e.Message}")));
            Assert.That(errors, Does.Contain((3, (string?)"score")));
            Assert.That(errors, Does.Contain((4, (string?)"emails")));
            Assert.That(errors, Does.Contain((5, (string?)"partnerName")));
            Assert.That(errors, Does.Contain((6, (string?)"emails")), "a duplicate of row 2 in the file");
            Assert.That(errors, Does.Contain((7, (string?)"ownerEmail")));
            Assert.That(errors, Does.Contain((8, (string?)"campaignId")));
            Assert.That(errors, Does.Contain((9, (string?)"emails")), "upsert needs the match key");
        });
        Assert.That(await CountAsync("SELECT count(*) FROM sales.leads WHERE company_name = '好线索'"), Is.EqualTo(1));
    }

    [Test]
    public async Task Matching_on_phones_updates_the_lead_with_that_number_and_create_mode_refuses_it()
    {
        var (lead, _) = await LeadApi.CreateAsync(_client, new { companyName = "电话匹配", phones = new[] { "0755-8888 1234" } });

        var updated = await ImportAsync(_client, "leads", Csv("phones,industry\n0755 8888 1234,物流\n"), "matchOn=phones");
        var refused = await ImportAsync(_client, "leads", Csv("phones,industry\n07558888-1234,物流\n"), "matchOn=phones&mode=create");

        Assert.Multiple(async () =>
        {
            Assert.That(updated.Updated, Is.EqualTo(1));
            Assert.That(await CountAsync($"SELECT count(*) FROM sales.leads WHERE id = '{lead.Id}' AND industry = '物流'"), Is.EqualTo(1));
            Assert.That((refused.Created, refused.Rejected), Is.EqualTo((0L, 1L)));
        });
    }

    [TestCase("upsert", 1L, 1L, 0L)]
    [TestCase("create", 1L, 0L, 1L)]
    public async Task A_lead_another_transaction_creates_with_the_same_email_while_the_chunk_is_written_is_matched_not_duplicated(
        string mode, long created, long updated, long rejected)
    {
        await LeadApi.CreateAsync(_client, new { companyName = "种子线索", emails = new[] { "seed@yunfan.cn" } });
        var csv = "公司名称,邮箱,行业\n并发线索,Race@YunFan.cn,制造业\n其他线索,other@yunfan.cn,贸易\n";

        var report = await WhileHeldConcurrentlyAsync($"""
            INSERT INTO sales.leads
            SELECT (jsonb_populate_record(l, jsonb_build_object('id', gen_random_uuid(), 'emails', ARRAY['race@yunfan.cn'], 'company_name', '别人的线索'))).*
              FROM sales.leads l CROSS JOIN (SELECT pg_advisory_xact_lock({LeadKeyLocks.ClassId}, hashtext('email:race@yunfan.cn') & {LeadKeyLocks.Buckets - 1})) k
             WHERE l.company_name = '种子线索'
            """, "SELECT count(pg_advisory_xact_lock(%", () => ImportAsync(_client, "leads", Csv(csv), "mode=" + mode));

        Assert.Multiple(async () =>
        {
            Assert.That((report.Created, report.Updated, report.Rejected), Is.EqualTo((created, updated, rejected)), string.Join("; ", report.Errors.Select(e => $"{e.Row} {e.Column}: {e.Message}")));
            Assert.That(await CountAsync("SELECT count(*) FROM sales.leads WHERE emails @> ARRAY['race@yunfan.cn']"), Is.EqualTo(1), "never a second lead with the email");
            Assert.That(await CountAsync("SELECT count(*) FROM sales.leads WHERE emails @> ARRAY['other@yunfan.cn'] AND company_name = '其他线索'"), Is.EqualTo(1));
            Assert.That(await CountAsync("SELECT count(*) FROM sales.leads WHERE emails @> ARRAY['race@yunfan.cn'] AND industry = '制造业'"), Is.EqualTo(updated), "upsert updates the other transaction's lead");
        });
        if (rejected > 0)
        {
            Assert.That(report.Errors.Single().Row, Is.EqualTo(2));
            Assert.That(report.Errors.Single().Message, Does.Contain("already exists"));
        }
    }

    [Test]
    public async Task Creating_a_lead_and_adding_an_email_to_one_wait_for_an_import_chunk_writing_that_email()
    {
        var (lead, etag) = await LeadApi.CreateAsync(_client, new { companyName = "已有线索", emails = new[] { "old@yunfan.cn" } });
        // What an import chunk creating a lead with chunk@yunfan.cn holds until it commits.
        var hold = $"""
            INSERT INTO sales.leads
            SELECT (jsonb_populate_record(l, jsonb_build_object('id', gen_random_uuid(), 'emails', ARRAY['chunk@yunfan.cn'], 'company_name', '导入中的线索'))).*
              FROM sales.leads l CROSS JOIN (SELECT pg_advisory_xact_lock({LeadKeyLocks.ClassId}, hashtext('email:chunk@yunfan.cn') & {LeadKeyLocks.Buckets - 1})) k
             WHERE l.id = '{lead.Id}'
            """;

        var create = await WhileHeldConcurrentlyAsync(hold, "SELECT count(pg_advisory_xact_lock(%",
            () => _client.PostAsync("/api/v1/sales/leads", JsonBody(new { companyName = "接口线索", emails = new[] { "Chunk@YunFan.cn" } })));
        var patch = await WhileHeldConcurrentlyAsync(hold, "SELECT count(pg_advisory_xact_lock(%",
            () => _client.SendAsync(LeadApi.Patch(lead.Id, """{"emails":["old@yunfan.cn","chunk@yunfan.cn"]}""", etag)));

        Assert.That((create.StatusCode, patch.StatusCode), Is.EqualTo((HttpStatusCode.Created, HttpStatusCode.OK)), await patch.Content.ReadAsStringAsync());
    }
}
