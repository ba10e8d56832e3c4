using System.Net;
using System.Text.Json;
using Crm.IntegrationTests.Infrastructure;
using Crm.Modules.Customers.Features.Customers;
using Crm.Modules.Customers.Features.Duplicates;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Identity.Domain;
using static Crm.IntegrationTests.Customers.CustomerApi;

namespace Crm.IntegrationTests.Customers;

internal sealed class DuplicateTests : IntegrationTest
{
    private const string DuplicateType = "https://crm.local/problems/duplicate-customer";

    private TestUser _rep = null!;
    private TestUser _otherRep = null!;
    private HttpClient _client = null!;

    [SetUp]
    public async Task SignInAsync()
    {
        var company = await TestUsers.CreateTeamAsync(Factory, "公司", TeamKind.Company);
        _rep = await TestUsers.CreateAsync(Factory, Roles.SalesRep, company);
        _otherRep = await TestUsers.CreateAsync(Factory, Roles.SalesRep, company);
        _client = Factory.ClientFor(_rep);
    }

    [TearDown]
    public void DisposeRep() => _client.Dispose();

    private static async Task<List<DuplicateCandidateResponse>> CandidatesOfAsync(HttpResponseMessage response)
    {
        var problem = await ReadProblemAsync(response, HttpStatusCode.Conflict);
        Assert.That(problem.GetProperty("type").GetString(), Is.EqualTo(DuplicateType));
        return problem.GetProperty("candidates").Deserialize<List<DuplicateCandidateResponse>>(Json)!;
    }

    [TestCase("华为技术有限公司", "华为技术（集团）股份有限公司")]
    [TestCase("ＡＣＭＥ Trading Co., Ltd.", "acme  trading limited")]
    [TestCase("深圳市 腾讯·计算机系统有限公司", "深圳市腾讯计算机系统有限责任公司")]
    public async Task Creating_a_customer_whose_normalized_name_matches_is_409_with_the_candidate(string existing, string attempt)
    {
        var (first, _) = await CreateAsync(_client, existing);

        var candidates = await CandidatesOfAsync(await _client.PostAsync("/api/v1/customers", JsonBody(new { kind = "organization", name = attempt })));

        Assert.That(candidates.Select(c => (c.Id, c.Code, c.Name, c.OwnerId, string.Join(",", c.MatchedOn), c.Visible)),
            Is.EqualTo(new[] { (first.Id, first.Code, first.Name, (Guid?)_rep.Id, "name", true) }));
        Assert.That(await CountAsync("SELECT count(*) FROM customers.customers"), Is.EqualTo(1));
    }

    [Test]
    public async Task Different_companies_sharing_only_a_legal_form_or_a_latin_word_are_not_duplicates()
    {
        await CreateAsync(_client, "Costco Wholesale");
        await CreateAsync(_client, "有限公司");

        await CreateAsync(_client, "Cost Wholesale");
        await CreateAsync(_client, "股份有限公司");
        await CreateAsync(_client, "华为");
    }

    [Test]
    public async Task Creating_a_customer_sharing_a_phone_in_another_format_is_409_on_phone()
    {
        var (first, _) = await CreateAsync(_client, new { kind = "organization", name = "甲公司", phones = new[] { "+86 755-2878 0808", "13800138000" } });

        var byLandline = await CandidatesOfAsync(await _client.PostAsync("/api/v1/customers", JsonBody(new { kind = "organization", name = "乙", phones = new[] { "0755 28780808" } })));
        var byMobile = await CandidatesOfAsync(await _client.PostAsync("/api/v1/customers", JsonBody(new { kind = "organization", name = "丙", phones = new[] { "0086 138-0013-8000" } })));

        Assert.Multiple(() =>
        {
            Assert.That(byLandline.Single().Id, Is.EqualTo(first.Id));
            Assert.That(byLandline.Single().MatchedOn, Is.EqualTo(new[] { "phone" }));
            Assert.That(byMobile.Single().MatchedOn, Is.EqualTo(new[] { "phone" }));
        });
    }

    [Test]
    public async Task Creating_a_customer_sharing_an_email_in_another_case_is_409_on_email_and_all_matching_keys_are_named()
    {
        var (first, _) = await CreateAsync(_client, new { kind = "organization", name = "华为", emails = new[] { "Sales@Huawei.com" }, phones = new[] { "13800138000" } });

        var candidates = await CandidatesOfAsync(await _client.PostAsync("/api/v1/customers",
            JsonBody(new { kind = "organization", name = "华为有限公司", emails = new[] { " SALES@huawei.COM " }, phones = new[] { "+8613800138000" } })));

        Assert.That(candidates.Single().Id, Is.EqualTo(first.Id));
        Assert.That(candidates.Single().MatchedOn, Is.EqualTo(new[] { "name", "phone", "email" }));
    }

    [Test]
    public async Task Confirming_the_duplicate_creates_it_and_the_registration_number_stays_hard_unique()
    {
        await CreateAsync(_client, new { kind = "organization", name = "华为技术有限公司", registrationNumber = CreditCode });

        var (second, _) = await CreateAsync(_client, new { kind = "organization", name = "华为技术", confirmDuplicate = true });
        var sameNumber = await ReadProblemAsync(
            await _client.PostAsync("/api/v1/customers", JsonBody(new { kind = "organization", name = "别的名字", registrationNumber = CreditCode, confirmDuplicate = true })),
            HttpStatusCode.Conflict);

        Assert.Multiple(async () =>
        {
            Assert.That(second.Name, Is.EqualTo("华为技术"));
            Assert.That(sameNumber.GetProperty("type").GetString(), Is.EqualTo("https://crm.local/problems/duplicate-registration-number"));
            Assert.That(await CountAsync("SELECT count(*) FROM customers.customers"), Is.EqualTo(2));
        });
    }

    [Test]
    public async Task A_candidate_the_caller_cannot_see_reveals_only_id_code_name_owner_and_the_matched_keys()
    {
        using var other = Factory.ClientFor(_otherRep);
        var (hidden, _) = await CreateAsync(other, new { kind = "organization", name = "腾讯科技有限公司", phones = new[] { "13900139000" }, emails = new[] { "secret@qq.com" }, address = "深圳南山" });

        var response = await _client.PostAsync("/api/v1/customers", JsonBody(new { kind = "organization", name = "腾讯科技", phones = new[] { "139 0013 9000" } }));
        var problem = await ReadProblemAsync(response, HttpStatusCode.Conflict);
        var candidate = problem.GetProperty("candidates").EnumerateArray().Single();

        Assert.Multiple(async () =>
        {
            Assert.That(candidate.EnumerateObject().Select(p => p.Name), Is.EquivalentTo(new[] { "id", "code", "name", "ownerId", "matchedOn", "visible" }));
            Assert.That(candidate.GetProperty("id").GetGuid(), Is.EqualTo(hidden.Id));
            Assert.That(candidate.GetProperty("ownerId").GetGuid(), Is.EqualTo(_otherRep.Id));
            Assert.That(candidate.GetProperty("visible").GetBoolean(), Is.False);
            Assert.That(problem.ToString(), Does.Not.Contain("secret@qq.com").And.Not.Contain("深圳南山"));
            await ReadProblemAsync(await _client.GetAsync($"/api/v1/customers/{hidden.Id}"), HttpStatusCode.NotFound);
        });
    }

    [Test]
    public async Task Archived_customers_are_not_candidates()
    {
        var (old, etag) = await CreateAsync(_client, "华为");
        var delete = new HttpRequestMessage(HttpMethod.Delete, $"/api/v1/customers/{old.Id}");
        delete.Headers.TryAddWithoutValidation("If-Match", etag);
        Assert.That((await _client.SendAsync(delete)).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        await CreateAsync(_client, "华为");
    }

    [Test]
    public async Task Updating_a_match_key_to_a_duplicate_is_409_unless_confirmed_and_other_changes_do_not_ask()
    {
        var (existing, _) = await CreateAsync(_client, new { kind = "organization", name = "小米科技有限责任公司", emails = new[] { "mi@xiaomi.com" } });
        var (mine, etag) = await CreateAsync(_client, new { kind = "organization", name = "华为", emails = new[] { "hw@huawei.com" } });

        var byName = await CandidatesOfAsync(await _client.SendAsync(Patch(mine.Id, """{"name":"小米科技"}""", etag)));
        var byEmail = await CandidatesOfAsync(await _client.SendAsync(Patch(mine.Id, """{"emails":["hw@huawei.com","MI@xiaomi.com"]}""", etag)));
        Assert.That(byName.Single().Id, Is.EqualTo(existing.Id));
        Assert.That(byEmail.Single().MatchedOn, Is.EqualTo(new[] { "email" }));

        var confirmed = await ReadAsync<CustomerResponse>(await _client.SendAsync(Patch(mine.Id, """{"name":"小米科技","confirmDuplicate":true}""", etag)), HttpStatusCode.OK);
        Assert.That(confirmed.Name, Is.EqualTo("小米科技"));

        // The name key did not change again: an unrelated edit does not ask a second time.
        var unrelated = await _client.SendAsync(Patch(mine.Id, """{"industry":"电子"}"""));
        Assert.That(unrelated.StatusCode, Is.EqualTo(HttpStatusCode.OK), await unrelated.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task The_check_endpoint_finds_candidates_by_each_key()
    {
        var (a, _) = await CreateAsync(_client, new { kind = "organization", name = "华为技术有限公司", registrationNumber = CreditCode, phones = new[] { "0755-28780808" }, emails = new[] { "sales@huawei.com" } });
        using var other = Factory.ClientFor(_otherRep);
        var (b, _) = await CreateAsync(other, new { kind = "organization", name = "华为终端有限公司", phones = new[] { "13800138000" } });

        async Task<List<DuplicateCandidateResponse>> CheckAsync(string query) =>
            (await ReadAsync<DuplicateCheckResponse>(await _client.GetAsync($"/api/v1/customers/duplicates?{query}"), HttpStatusCode.OK)).Candidates.ToList();

        var byName = await CheckAsync("name=" + Uri.EscapeDataString("华为技术"));
        var byPhone = await CheckAsync("phone=" + Uri.EscapeDataString("+86 138 0013 8000"));
        var byEmail = await CheckAsync("email=SALES%40HUAWEI.COM");
        var byNumber = await CheckAsync("registrationNumber=" + CreditCode.ToLowerInvariant());
        var all = await CheckAsync("name=" + Uri.EscapeDataString("华为终端") + "&phone=075528780808");
        var exceptSelf = await CheckAsync($"name={Uri.EscapeDataString("华为技术")}&exceptId={a.Id}");
        var none = await CheckAsync("name=" + Uri.EscapeDataString("阿里巴巴"));

        Assert.Multiple(() =>
        {
            Assert.That(byName.Select(c => (c.Id, c.Visible, string.Join(",", c.MatchedOn))), Is.EqualTo(new[] { (a.Id, true, "name") }));
            Assert.That(byPhone.Select(c => (c.Id, c.Visible, string.Join(",", c.MatchedOn))), Is.EqualTo(new[] { (b.Id, false, "phone") }));
            Assert.That(byEmail.Select(c => c.Id), Is.EqualTo(new[] { a.Id }));
            Assert.That(byNumber.Select(c => (c.Id, string.Join(",", c.MatchedOn))), Is.EqualTo(new[] { (a.Id, "registrationNumber") }));
            Assert.That(all.Select(c => c.Id), Is.EquivalentTo(new[] { a.Id, b.Id }));
            Assert.That(exceptSelf, Is.Empty);
            Assert.That(none, Is.Empty);
        });
    }

    [Test]
    public async Task The_check_endpoint_lists_at_most_20_candidates()
    {
        for (var i = 0; i < 22; i++)
        {
            await CreateAsync(_client, new { kind = "organization", name = $"客户{i}", phones = new[] { "4008001234" }, confirmDuplicate = true });
        }

        var response = await ReadAsync<DuplicateCheckResponse>(await _client.GetAsync("/api/v1/customers/duplicates?phone=400-800-1234"), HttpStatusCode.OK);

        Assert.That(response.Candidates, Has.Count.EqualTo(20));
    }

    [Test]
    public async Task The_check_endpoint_needs_a_key_and_valid_lengths()
    {
        var empty = await ReadProblemAsync(await _client.GetAsync("/api/v1/customers/duplicates"), HttpStatusCode.BadRequest);
        var tooLong = await ReadProblemAsync(await _client.GetAsync("/api/v1/customers/duplicates?phone=" + new string('1', 51)), HttpStatusCode.BadRequest);
        var badId = await ReadProblemAsync(await _client.GetAsync("/api/v1/customers/duplicates?name=x&exceptId=nope"), HttpStatusCode.BadRequest);

        Assert.Multiple(() =>
        {
            Assert.That(empty.GetProperty("errors").TryGetProperty("name", out _), Is.True, empty.ToString());
            Assert.That(tooLong.GetProperty("errors").TryGetProperty("phone", out _), Is.True, tooLong.ToString());
            Assert.That(badId.GetProperty("status").GetInt32(), Is.EqualTo(400));
        });
    }

    [Test]
    public async Task The_check_endpoint_needs_customers_read()
    {
        var agentless = await TestUsers.CreateAsync(Factory, Roles.Integration);
        using var client = Factory.ClientFor(agentless);

        await ReadProblemAsync(await client.GetAsync("/api/v1/customers/duplicates?name=x"), HttpStatusCode.Forbidden);
    }
}
