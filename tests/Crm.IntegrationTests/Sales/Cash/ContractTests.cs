using System.Net;
using Crm.IntegrationTests.Infrastructure;
using Crm.Modules.Sales.Data;
using Crm.Modules.Sales.Domain;
using Crm.Modules.Sales.Features.Contracts;
using Crm.SharedKernel.Paging;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Crm.IntegrationTests.Sales.Cash.CashApi;

namespace Crm.IntegrationTests.Sales.Cash;

internal sealed class ContractTests : IntegrationTest
{
    private CashOrg _org = null!;

    [SetUp]
    public async Task CreateOrganisationAsync() => _org = await CreateOrgAsync(Factory);

    [Test]
    public async Task A_created_contract_is_a_draft_with_a_generated_number_the_customers_owner_and_an_ETag()
    {
        var customerId = await CustomerOfAsync(Factory, _org.EastRep, "杭州贸易有限公司");
        using var admin = Factory.ClientFor(_org.Admin);

        var (first, etag) = await CreateContractAsync(admin, customerId, 120_000.50m);
        var (second, _) = await CreateContractAsync(admin, customerId);
        var fetched = await admin.GetAsync($"/api/v1/sales/contracts/{first.Id}");

        Assert.Multiple(async () =>
        {
            Assert.That(first.Status, Is.EqualTo(ContractStatus.Draft));
            Assert.That(first.Number, Does.Match("^HT[0-9]{8}$"));
            Assert.That(second.Number, Is.Not.EqualTo(first.Number));
            Assert.That(first.OwnerId, Is.EqualTo(_org.EastRep.Id), "defaults to the customer's owner");
            Assert.That(first.Amount, Is.EqualTo(120_000.50m));
            Assert.That(first.Currency, Is.EqualTo("CNY"));
            Assert.That(first.SignedDate, Is.Null);
            Assert.That(fetched.Headers.ETag!.ToString(), Is.EqualTo(etag));
            Assert.That((await ReadAsync<ContractResponse>(fetched, HttpStatusCode.OK)).Title, Is.EqualTo("年度维保合同"));
        });
    }

    [Test]
    public async Task Missing_fields_a_negative_amount_too_many_decimals_and_an_end_before_the_start_are_400_with_field_errors()
    {
        using var admin = Factory.ClientFor(_org.Admin);
        var response = await admin.PostAsync("/api/v1/sales/contracts", JsonBody(new
        {
            title = "", amount = -1.234m, startDate = new DateOnly(2026, 12, 1), endDate = new DateOnly(2026, 11, 1), currency = "rmb",
        }));

        var errors = (await ReadProblemAsync(response, HttpStatusCode.BadRequest)).GetProperty("errors");
        Assert.Multiple(() =>
        {
            foreach (var field in new[] { "customerId", "title", "amount", "endDate", "currency" })
            {
                Assert.That(errors.TryGetProperty(field, out _), Is.True, $"{field}: {errors}");
            }
        });
    }

    [TestCase("""{"customerId":"not-a-guid","title":"x","amount":1,"startDate":"2026-12-01","endDate":"2027-01-01"}""")]
    [TestCase("""{"customerId":"0199f0f0-0000-7000-8000-000000000001","title":"x","amount":"many","startDate":"2026-12-01","endDate":"2027-01-01"}""")]
    [TestCase("""{"customerId":"0199f0f0-0000-7000-8000-000000000001","title":"x","amount":1,"startDate":"1 Dec","endDate":"2027-01-01"}""")]
    [TestCase("""{"title":""")]
    public async Task Malformed_input_is_400_never_500(string json)
    {
        using var admin = Factory.ClientFor(_org.Admin);
        var response = await admin.PostAsync("/api/v1/sales/contracts", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));
        await ReadProblemAsync(response, HttpStatusCode.BadRequest);
    }

    [Test]
    public async Task A_customer_the_caller_cannot_see_or_an_opportunity_of_another_customer_is_422()
    {
        var southCustomer = await CustomerOfAsync(Factory, _org.SouthRep, "广州公司");
        var eastCustomer = await CustomerOfAsync(Factory, _org.EastRep, "上海公司");
        using var eastRep = Factory.ClientFor(_org.EastRep);

        var invisible = await eastRep.PostAsync("/api/v1/sales/contracts", JsonBody(new
        {
            customerId = southCustomer, title = "x", amount = 1m, startDate = new DateOnly(2026, 12, 1), endDate = new DateOnly(2027, 1, 1),
        }));
        var unknownOpportunity = await eastRep.PostAsync("/api/v1/sales/contracts", JsonBody(new
        {
            customerId = eastCustomer, title = "x", amount = 1m, startDate = new DateOnly(2026, 12, 1), endDate = new DateOnly(2027, 1, 1),
            opportunityId = Guid.CreateVersion7(),
        }));

        Assert.That((await ReadProblemAsync(invisible, HttpStatusCode.UnprocessableEntity)).GetProperty("type").GetString(), Does.EndWith("unknown-customer"));
        Assert.That((await ReadProblemAsync(unknownOpportunity, HttpStatusCode.UnprocessableEntity)).GetProperty("type").GetString(), Does.EndWith("unknown-opportunity"));
    }

    [Test]
    public async Task The_opportunity_it_closes_must_belong_to_the_same_customer()
    {
        var customerId = await CustomerOfAsync(Factory, _org.EastRep, "苏州公司");
        Guid opportunityId;
        await using (var scope = Factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<SalesDbContext>();
            var stage = await db.PipelineStages.Where(s => s.PipelineId == Pipeline.DefaultId).OrderBy(s => s.Position).FirstAsync();
            var opportunity = Opportunity.Create("苏州项目", customerId, null, null, stage, 50_000m, "CNY", null, _org.EastRep.Id, null, Factory.Time.GetUtcNow());
            db.Opportunities.Add(opportunity);
            await db.SaveChangesAsync();
            opportunityId = opportunity.Id;
        }

        using var eastRep = Factory.ClientFor(_org.EastRep);
        var response = await eastRep.PostAsync("/api/v1/sales/contracts", JsonBody(new
        {
            customerId, title = "苏州合同", amount = 50_000m, startDate = new DateOnly(2026, 12, 1), endDate = new DateOnly(2027, 1, 1), opportunityId,
        }));

        Assert.That((await ReadAsync<ContractResponse>(response, HttpStatusCode.Created)).OpportunityId, Is.EqualTo(opportunityId));
    }

    [Test]
    public async Task Signing_needs_the_current_ETag_and_happens_once()
    {
        var customerId = await CustomerOfAsync(Factory, _org.EastRep, "南京公司");
        using var eastRep = Factory.ClientFor(_org.EastRep);
        var (contract, etag) = await CreateContractAsync(eastRep, customerId);

        var stale = await eastRep.SendAsync(Sign(contract.Id, "\"1\""));
        await ReadProblemAsync(stale, HttpStatusCode.PreconditionFailed);

        var signed = await eastRep.SendAsync(Sign(contract.Id, etag));
        var body = await ReadAsync<ContractResponse>(signed, HttpStatusCode.OK);
        Assert.Multiple(() =>
        {
            Assert.That(body.Status, Is.EqualTo(ContractStatus.Signed));
            Assert.That(body.SignedDate, Is.EqualTo(new DateOnly(2026, 11, 20)));
            Assert.That(signed.Headers.ETag!.ToString(), Is.Not.EqualTo(etag));
        });

        var again = await eastRep.SendAsync(Sign(contract.Id, signed.Headers.ETag!.ToString()));
        Assert.That((await ReadProblemAsync(again, HttpStatusCode.Conflict)).GetProperty("type").GetString(), Does.EndWith("contract-not-draft"));
    }

    [Test]
    public async Task Signing_without_or_with_a_future_date_is_400_and_an_unknown_contract_is_404()
    {
        var customerId = await CustomerOfAsync(Factory, _org.EastRep, "合肥公司");
        using var eastRep = Factory.ClientFor(_org.EastRep);
        var (contract, etag) = await CreateContractAsync(eastRep, customerId);

        var future = await eastRep.SendAsync(Sign(contract.Id, etag, new DateOnly(2026, 12, 25)));
        var missing = await eastRep.PostAsync($"/api/v1/sales/contracts/{contract.Id}/sign", JsonBody(new { }));
        var unknown = await eastRep.SendAsync(Sign(Guid.CreateVersion7(), null));

        Assert.That((await ReadProblemAsync(future, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("signedDate", out _), Is.True);
        Assert.That((await ReadProblemAsync(missing, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("signedDate", out _), Is.True);
        await ReadProblemAsync(unknown, HttpStatusCode.NotFound);
    }

    [Test]
    public async Task A_rep_cannot_see_or_sign_another_groups_contract_the_manager_and_admin_can()
    {
        var customerId = await CustomerOfAsync(Factory, _org.SouthRep, "深圳公司");
        using var southRep = Factory.ClientFor(_org.SouthRep);
        var (contract, etag) = await CreateContractAsync(southRep, customerId);
        using var eastRep = Factory.ClientFor(_org.EastRep);
        using var manager = Factory.ClientFor(_org.Manager);
        using var admin = Factory.ClientFor(_org.Admin);

        await ReadProblemAsync(await eastRep.GetAsync($"/api/v1/sales/contracts/{contract.Id}"), HttpStatusCode.NotFound);
        await ReadProblemAsync(await eastRep.SendAsync(Sign(contract.Id, etag)), HttpStatusCode.NotFound);
        var eastList = await ReadAsync<Page<ContractResponse>>(await eastRep.GetAsync("/api/v1/sales/contracts"), HttpStatusCode.OK);
        var managerList = await ReadAsync<Page<ContractResponse>>(await manager.GetAsync("/api/v1/sales/contracts"), HttpStatusCode.OK);
        var adminGet = await admin.GetAsync($"/api/v1/sales/contracts/{contract.Id}");

        Assert.Multiple(() =>
        {
            Assert.That(eastList.Items, Is.Empty);
            Assert.That(managerList.Items.Select(c => c.Id), Is.EqualTo(new[] { contract.Id }));
            Assert.That(adminGet.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });
    }

    [Test]
    public async Task Without_sales_write_creating_is_403_and_without_sales_read_listing_is_403()
    {
        var customerId = await CustomerOfAsync(Factory, _org.Admin, "天津公司");
        using var marketer = Factory.ClientFor(_org.Marketer);
        var create = await marketer.PostAsync("/api/v1/sales/contracts", JsonBody(new
        {
            customerId, title = "x", amount = 1m, startDate = new DateOnly(2026, 12, 1), endDate = new DateOnly(2027, 1, 1),
        }));
        await ReadProblemAsync(create, HttpStatusCode.Forbidden);

        var agent = await TestUsers.CreateAsync(Factory, Crm.Modules.Identity.Contracts.Roles.ServiceAgent);
        using var agentClient = Factory.ClientFor(agent);
        await ReadProblemAsync(await agentClient.GetAsync("/api/v1/sales/contracts"), HttpStatusCode.Forbidden);
    }

    [Test]
    public async Task The_list_filters_by_customer_owner_status_and_ending_before_and_pages_with_a_cursor()
    {
        var east = await CustomerOfAsync(Factory, _org.EastRep, "东方公司");
        var south = await CustomerOfAsync(Factory, _org.SouthRep, "南方公司");
        using var admin = Factory.ClientFor(_org.Admin);
        var (soon, _) = await CreateContractAsync(admin, east, title: "即将到期", endDate: new DateOnly(2026, 12, 31));
        var signed = await SignedContractAsync(admin, east, 10m);
        var (southContract, _) = await CreateContractAsync(admin, south);

        async Task<Guid[]> IdsAsync(string query) =>
            (await ReadAsync<Page<ContractResponse>>(await admin.GetAsync($"/api/v1/sales/contracts{query}"), HttpStatusCode.OK)).Items.Select(c => c.Id).ToArray();

        Assert.Multiple(async () =>
        {
            Assert.That(await IdsAsync($"?customerId={east}"), Is.EquivalentTo(new[] { soon.Id, signed.Id }));
            Assert.That(await IdsAsync($"?ownerId={_org.SouthRep.Id}"), Is.EqualTo(new[] { southContract.Id }));
            Assert.That(await IdsAsync("?status=signed"), Is.EqualTo(new[] { signed.Id }));
            Assert.That(await IdsAsync("?endingBefore=2027-01-01"), Is.EqualTo(new[] { soon.Id }));
            Assert.That(await IdsAsync("?sort=endDate&limit=1"), Is.EqualTo(new[] { soon.Id }));
        });

        var first = await ReadAsync<Page<ContractResponse>>(await admin.GetAsync("/api/v1/sales/contracts?limit=2&includeTotal=true"), HttpStatusCode.OK);
        var second = await ReadAsync<Page<ContractResponse>>(
            await admin.GetAsync($"/api/v1/sales/contracts?limit=2&cursor={Uri.EscapeDataString(first.NextCursor!)}"), HttpStatusCode.OK);
        Assert.Multiple(() =>
        {
            Assert.That(first.Total, Is.EqualTo(3));
            Assert.That(first.Items.Concat(second.Items).Select(c => c.Id), Is.EquivalentTo(new[] { soon.Id, signed.Id, southContract.Id }));
            Assert.That(second.NextCursor, Is.Null);
        });
    }

    [TestCase("?status=pending")]
    [TestCase("?limit=0")]
    [TestCase("?sort=amount")]
    [TestCase("?cursor=garbage")]
    [TestCase("?endingBefore=soon")]
    public async Task Bad_list_parameters_are_400(string query)
    {
        using var admin = Factory.ClientFor(_org.Admin);
        await ReadProblemAsync(await admin.GetAsync($"/api/v1/sales/contracts{query}"), HttpStatusCode.BadRequest);
    }

    [Test]
    public async Task Renewing_creates_a_linked_draft_starting_the_day_after_with_the_same_length_and_only_once()
    {
        var customerId = await CustomerOfAsync(Factory, _org.EastRep, "无锡公司");
        using var eastRep = Factory.ClientFor(_org.EastRep);
        var signed = await SignedContractAsync(eastRep, customerId, 88_000m);

        var renewal = await eastRep.PostAsync($"/api/v1/sales/contracts/{signed.Id}/renew", JsonBody(new { amount = 90_000m }));
        var successor = await ReadAsync<ContractResponse>(renewal, HttpStatusCode.Created);
        Assert.Multiple(() =>
        {
            Assert.That(successor.RenewalOfId, Is.EqualTo(signed.Id));
            Assert.That(successor.Status, Is.EqualTo(ContractStatus.Draft));
            Assert.That(successor.StartDate, Is.EqualTo(new DateOnly(2027, 12, 1)));
            Assert.That(successor.EndDate, Is.EqualTo(new DateOnly(2028, 11, 29)), "364 days after the start, as the renewed one");
            Assert.That(successor.Amount, Is.EqualTo(90_000m));
            Assert.That(successor.Title, Is.EqualTo(signed.Title));
            Assert.That(successor.OwnerId, Is.EqualTo(_org.EastRep.Id));
            Assert.That(successor.Number, Is.Not.EqualTo(signed.Number));
            Assert.That(renewal.Headers.Location!.ToString(), Is.EqualTo($"/api/v1/sales/contracts/{successor.Id}"));
        });

        var twice = await eastRep.PostAsync($"/api/v1/sales/contracts/{signed.Id}/renew", JsonBody(new { }));
        Assert.That((await ReadProblemAsync(twice, HttpStatusCode.Conflict)).GetProperty("type").GetString(), Does.EndWith("contract-already-renewed"));
        var ofDraft = await eastRep.PostAsync($"/api/v1/sales/contracts/{successor.Id}/renew", JsonBody(new { }));
        Assert.That((await ReadProblemAsync(ofDraft, HttpStatusCode.Conflict)).GetProperty("type").GetString(), Does.EndWith("contract-not-renewable"));
        var badDates = await eastRep.PostAsync($"/api/v1/sales/contracts/{Guid.CreateVersion7()}/renew", JsonBody(new { startDate = new DateOnly(2028, 1, 1), endDate = new DateOnly(2027, 1, 1) }));
        Assert.That((await ReadProblemAsync(badDates, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("endDate", out _), Is.True);
        using var southRep = Factory.ClientFor(_org.SouthRep);
        await ReadProblemAsync(await southRep.PostAsync($"/api/v1/sales/contracts/{signed.Id}/renew", JsonBody(new { })), HttpStatusCode.NotFound);
    }
}
