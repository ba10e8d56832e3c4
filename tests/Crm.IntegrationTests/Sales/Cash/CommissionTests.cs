using System.Net;
using Crm.IntegrationTests.Infrastructure;
using Crm.Modules.Sales.Domain;
using Crm.Modules.Sales.Features.Commissions;
using Crm.Modules.Sales.Features.Contracts;
using Crm.Modules.Sales.Features.Payments;
using Crm.SharedKernel.Paging;
using static Crm.IntegrationTests.Sales.Cash.CashApi;

namespace Crm.IntegrationTests.Sales.Cash;

internal sealed class CommissionTests : IntegrationTest
{
    private CashOrg _org = null!;
    private HttpClient _admin = null!;
    private HttpClient _east = null!;
    private HttpClient _south = null!;

    [SetUp]
    public async Task CreateOrganisationAsync()
    {
        _org = await CreateOrgAsync(Factory);
        _admin = Factory.ClientFor(_org.Admin);
        _east = Factory.ClientFor(_org.EastRep);
        _south = Factory.ClientFor(_org.SouthRep);
    }

    [TearDown]
    public void DisposeClients()
    {
        _admin.Dispose();
        _east.Dispose();
        _south.Dispose();
    }

    private async Task<CommissionRuleResponse> RuleAsync(object body) =>
        await ReadAsync<CommissionRuleResponse>(await _admin.PostAsync("/api/v1/sales/commission-rules", JsonBody(body)), HttpStatusCode.Created);

    private static async Task<ReceiptResponse> PayAsync(HttpClient client, Guid contractId, decimal amount, DateOnly receivedDate) =>
        await ReadAsync<ReceiptResponse>(
            await client.PostAsync("/api/v1/sales/receipts", JsonBody(new { contractId, amount, receivedDate, method = "bankTransfer" })), HttpStatusCode.Created);

    private static async Task<CommissionStatementResponse> StatementAsync(HttpClient client, string query) =>
        await ReadAsync<CommissionStatementResponse>(await client.GetAsync($"/api/v1/sales/commissions/statements?{query}"), HttpStatusCode.OK);

    private async Task<ContractResponse> ContractOfAsync(HttpClient client, TestUser owner, string customer, string category, decimal amount = 100_000m) =>
        await SignedContractAsync(client, await CustomerOfAsync(Factory, owner, customer), amount, category);

    [Test]
    public async Task Rep_and_category_beats_rep_which_beats_category_which_beats_the_default()
    {
        var fallback = await RuleAsync(new { ratePercent = 1m, name = "默认" });
        var software = await RuleAsync(new { ratePercent = 2m, productCategory = "软件" });
        var east = await RuleAsync(new { ratePercent = 3m, repId = _org.EastRep.Id });
        var eastSoftware = await RuleAsync(new { ratePercent = 4m, repId = _org.EastRep.Id, productCategory = "软件" });

        var eastSoftwareContract = await ContractOfAsync(_east, _org.EastRep, "苏州软件客户", "软件");
        var eastHardwareContract = await ContractOfAsync(_east, _org.EastRep, "苏州硬件客户", "硬件");
        var southSoftwareContract = await ContractOfAsync(_south, _org.SouthRep, "广州软件客户", "软件");
        var southHardwareContract = await ContractOfAsync(_south, _org.SouthRep, "广州硬件客户", "硬件");
        var day = new DateOnly(2026, 11, 10);
        await PayAsync(_east, eastSoftwareContract.Id, 10_000m, day);
        await PayAsync(_east, eastHardwareContract.Id, 10_000m, day.AddDays(1));
        await PayAsync(_south, southSoftwareContract.Id, 10_000m, day);
        await PayAsync(_south, southHardwareContract.Id, 12_345.67m, day.AddDays(1));

        var statement = await StatementAsync(_admin, "period=2026-11");
        var eastRep = statement.Reps.Single(r => r.OwnerId == _org.EastRep.Id);
        var southRep = statement.Reps.Single(r => r.OwnerId == _org.SouthRep.Id);
        Assert.Multiple(() =>
        {
            Assert.That(statement.Period, Is.EqualTo("2026-11"));
            Assert.That(statement.From, Is.EqualTo(new DateOnly(2026, 11, 1)));
            Assert.That(statement.To, Is.EqualTo(new DateOnly(2026, 11, 30)));
            Assert.That(statement.Reps, Has.Count.EqualTo(2));
            Assert.That(eastSoftwareContract.ProductCategory, Is.EqualTo("软件"));

            Assert.That(eastRep.Lines.Select(l => (l.ContractId, l.RuleId, l.RatePercent, l.Commission)), Is.EqualTo(new[]
            {
                (eastSoftwareContract.Id, (Guid?)eastSoftware.Id, (decimal?)4m, 400m),
                (eastHardwareContract.Id, (Guid?)east.Id, (decimal?)3m, 300m),
            }));
            Assert.That(southRep.Lines.Select(l => (l.ContractId, l.RuleId, l.RatePercent, l.Commission)), Is.EqualTo(new[]
            {
                (southSoftwareContract.Id, (Guid?)software.Id, (decimal?)2m, 200m),
                (southHardwareContract.Id, (Guid?)fallback.Id, (decimal?)1m, 123.46m),
            }), "123.4567 rounds to 123.46");
            Assert.That(eastRep.CommissionTotal, Is.EqualTo(700m));
            Assert.That(eastRep.ReceivedAmount, Is.EqualTo(20_000m));
            Assert.That(eastRep.OwnerName, Is.Not.Empty);
            Assert.That(southRep.CommissionTotal, Is.EqualTo(323.46m));
            Assert.That(southRep.NetAmount, Is.EqualTo(22_345.67m));
            Assert.That(eastRep.Lines[0].ContractNumber, Is.EqualTo(eastSoftwareContract.Number));
            Assert.That(eastRep.Lines[0].Kind, Is.EqualTo(CommissionLineKind.Receipt));
        });
    }

    [Test]
    public async Task The_rule_valid_on_the_received_day_applies_and_no_rule_means_no_commission()
    {
        await RuleAsync(new { ratePercent = 5m, repId = _org.EastRep.Id, validTo = new DateOnly(2026, 11, 15) });
        await RuleAsync(new { ratePercent = 6m, repId = _org.EastRep.Id, validFrom = new DateOnly(2026, 11, 16) });
        await RuleAsync(new { ratePercent = 9m, repId = _org.EastRep.Id, validFrom = new DateOnly(2026, 11, 20), validTo = new DateOnly(2026, 11, 20) });
        var contract = await ContractOfAsync(_east, _org.EastRep, "宁波客户", "服务");
        var southContract = await ContractOfAsync(_south, _org.SouthRep, "深圳客户", "服务");
        await PayAsync(_east, contract.Id, 1_000m, new DateOnly(2026, 11, 15));
        await PayAsync(_east, contract.Id, 1_000m, new DateOnly(2026, 11, 16));
        await PayAsync(_east, contract.Id, 1_000m, new DateOnly(2026, 11, 20));
        await PayAsync(_south, southContract.Id, 1_000m, new DateOnly(2026, 11, 16));

        var statement = await StatementAsync(_admin, "period=2026-11");
        var east = statement.Reps.Single(r => r.OwnerId == _org.EastRep.Id);
        var south = statement.Reps.Single(r => r.OwnerId == _org.SouthRep.Id);
        Assert.Multiple(() =>
        {
            Assert.That(east.Lines.Select(l => l.RatePercent), Is.EqualTo(new decimal?[] { 5m, 6m, 9m }), "overlapping rules of one level: the latest start wins");
            Assert.That(east.CommissionTotal, Is.EqualTo(200m));
            Assert.That(south.Lines.Single().RuleId, Is.Null);
            Assert.That(south.Lines.Single().Commission, Is.EqualTo(0m));
        });
    }

    [Test]
    public async Task A_reversal_takes_the_commission_back_in_the_month_it_happens_at_the_rate_the_receipt_earned()
    {
        await RuleAsync(new { ratePercent = 3m, repId = _org.EastRep.Id, validTo = new DateOnly(2026, 10, 31) });
        await RuleAsync(new { ratePercent = 8m, repId = _org.EastRep.Id, validFrom = new DateOnly(2026, 11, 1) });
        var contract = await ContractOfAsync(_east, _org.EastRep, "温州客户", "软件");
        var october = await PayAsync(_east, contract.Id, 10_000m, new DateOnly(2026, 10, 20));
        var november = await PayAsync(_east, contract.Id, 2_000m, new DateOnly(2026, 11, 2));
        foreach (var receipt in new[] { october, november })
        {
            await ReadAsync<ReceiptResponse>(
                await _east.PostAsync($"/api/v1/sales/receipts/{receipt.Id}/reverse", JsonBody(new { reason = "退票" })), HttpStatusCode.OK);
        }

        var octoberStatement = (await StatementAsync(_east, "period=2026-10")).Reps.Single();
        var novemberStatement = (await StatementAsync(_east, "period=2026-11")).Reps.Single();
        Assert.Multiple(() =>
        {
            Assert.That(octoberStatement.CommissionTotal, Is.EqualTo(300m), "October keeps what it paid out");
            Assert.That(octoberStatement.ReversedAmount, Is.EqualTo(0m));
            Assert.That(novemberStatement.Lines.Select(l => (l.ReceiptId, l.Kind, l.Amount, l.RatePercent, l.Commission)), Is.EquivalentTo(new[]
            {
                (november.Id, CommissionLineKind.Receipt, 2_000m, (decimal?)8m, 160m),
                (november.Id, CommissionLineKind.Reversal, -2_000m, (decimal?)8m, -160m),
                (october.Id, CommissionLineKind.Reversal, -10_000m, (decimal?)3m, -300m),
            }));
            Assert.That(novemberStatement.Lines.Single(l => l.ReceiptId == october.Id).Date, Is.EqualTo(DateOnly.FromDateTime(Factory.Time.GetUtcNow().UtcDateTime)));
            Assert.That(novemberStatement.ReceivedAmount, Is.EqualTo(2_000m));
            Assert.That(novemberStatement.ReversedAmount, Is.EqualTo(12_000m));
            Assert.That(novemberStatement.NetAmount, Is.EqualTo(-10_000m));
            Assert.That(novemberStatement.CommissionTotal, Is.EqualTo(-300m));
        });
    }

    [Test]
    public async Task Statements_show_reps_only_what_they_may_see_and_need_a_month()
    {
        await RuleAsync(new { ratePercent = 1m });
        await PayAsync(_east, (await ContractOfAsync(_east, _org.EastRep, "东部客户", "软件")).Id, 1_000m, new DateOnly(2026, 11, 3));
        await PayAsync(_south, (await ContractOfAsync(_south, _org.SouthRep, "南部客户", "软件")).Id, 1_000m, new DateOnly(2026, 11, 3));
        using var manager = Factory.ClientFor(_org.Manager);
        using var marketer = Factory.ClientFor(_org.Marketer);
        using var serviceAgent = Factory.ClientFor(await TestUsers.CreateAsync(Factory, Crm.Modules.Identity.Contracts.Roles.ServiceAgent));

        Assert.Multiple(async () =>
        {
            Assert.That((await StatementAsync(marketer, "period=2026-11")).Reps, Is.Empty, "sales:read, but nobody's receipts in scope");
            Assert.That((await StatementAsync(_east, "period=2026-11")).Reps.Select(r => r.OwnerId), Is.EqualTo(new Guid?[] { _org.EastRep.Id }));
            Assert.That((await StatementAsync(_east, $"period=2026-11&ownerId={_org.SouthRep.Id}")).Reps, Is.Empty);
            Assert.That((await StatementAsync(manager, "period=2026-11")).Reps, Has.Count.EqualTo(2));
            Assert.That((await StatementAsync(manager, $"period=2026-11&ownerId={_org.SouthRep.Id}")).Reps.Single().OwnerId, Is.EqualTo(_org.SouthRep.Id));
            Assert.That((await StatementAsync(_admin, "period=2026-12")).Reps, Is.Empty);
        });

        foreach (var query in new[] { "", "period=2026-13", "period=11-2026", "period=2026-11-01" })
        {
            var errors = (await ReadProblemAsync(await _admin.GetAsync($"/api/v1/sales/commissions/statements?{query}"), HttpStatusCode.BadRequest)).GetProperty("errors");
            Assert.That(errors.TryGetProperty("period", out _), Is.True, $"{query}: {errors}");
        }

        await ReadProblemAsync(await _admin.GetAsync("/api/v1/sales/commissions/statements?period=2026-11&ownerId=nope"), HttpStatusCode.BadRequest);
        await ReadProblemAsync(await serviceAgent.GetAsync("/api/v1/sales/commissions/statements?period=2026-11"), HttpStatusCode.Forbidden);
    }

    [Test]
    public async Task A_created_rule_has_a_level_an_ETag_and_a_Location_and_an_Idempotency_Key_replays_it()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/sales/commission-rules")
        {
            Content = JsonBody(new { ratePercent = 4.25m, repId = _org.EastRep.Id, productCategory = " 软件 ", validFrom = new DateOnly(2026, 1, 1) }),
        };
        request.Headers.Add("Idempotency-Key", "rule-east-software");
        var created = await _admin.SendAsync(request);
        var rule = await ReadAsync<CommissionRuleResponse>(created, HttpStatusCode.Created);

        using var replay = new HttpRequestMessage(HttpMethod.Post, "/api/v1/sales/commission-rules")
        {
            Content = JsonBody(new { ratePercent = 4.25m, repId = _org.EastRep.Id, productCategory = " 软件 ", validFrom = new DateOnly(2026, 1, 1) }),
        };
        replay.Headers.Add("Idempotency-Key", "rule-east-software");
        var replayed = await _admin.SendAsync(replay);
        var fetched = await _east.GetAsync($"/api/v1/sales/commission-rules/{rule.Id}");

        Assert.Multiple(async () =>
        {
            Assert.That(rule.Level, Is.EqualTo(CommissionRuleLevel.RepAndCategory));
            Assert.That(rule.ProductCategory, Is.EqualTo("软件"));
            Assert.That(rule.RatePercent, Is.EqualTo(4.25m));
            Assert.That(created.Headers.Location!.ToString(), Is.EqualTo($"/api/v1/sales/commission-rules/{rule.Id}"));
            Assert.That(fetched.Headers.ETag!.ToString(), Is.EqualTo(created.Headers.ETag!.ToString()));
            Assert.That((await ReadAsync<CommissionRuleResponse>(replayed, HttpStatusCode.Created)).Id, Is.EqualTo(rule.Id));
            Assert.That(replayed.Headers.GetValues("Idempotent-Replayed"), Is.EqualTo(new[] { "true" }));
            Assert.That(await CountAsync("SELECT count(*) FROM sales.commission_rules"), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Bad_rules_are_400_with_field_errors_an_unknown_rep_422_and_an_exact_duplicate_409()
    {
        var response = await _admin.PostAsync("/api/v1/sales/commission-rules", JsonBody(new
        {
            ratePercent = 100.5m, productCategory = new string('x', 101), name = new string('n', 101),
            validFrom = new DateOnly(2026, 12, 1), validTo = new DateOnly(2026, 11, 1),
        }));
        var errors = (await ReadProblemAsync(response, HttpStatusCode.BadRequest)).GetProperty("errors");
        Assert.Multiple(() =>
        {
            foreach (var field in new[] { "ratePercent", "productCategory", "name", "validTo" })
            {
                Assert.That(errors.TryGetProperty(field, out _), Is.True, $"{field}: {errors}");
            }
        });

        foreach (var body in new object[] { new { }, new { ratePercent = 1.234m }, new { ratePercent = -1m } })
        {
            var bad = (await ReadProblemAsync(await _admin.PostAsync("/api/v1/sales/commission-rules", JsonBody(body)), HttpStatusCode.BadRequest)).GetProperty("errors");
            Assert.That(bad.TryGetProperty("ratePercent", out _), Is.True, bad.ToString());
        }

        await ReadProblemAsync(
            await _admin.PostAsync("/api/v1/sales/commission-rules", new StringContent("""{"ratePercent":"high"}""", System.Text.Encoding.UTF8, "application/json")),
            HttpStatusCode.BadRequest);
        var unknown = await _admin.PostAsync("/api/v1/sales/commission-rules", JsonBody(new { ratePercent = 1m, repId = Guid.CreateVersion7() }));
        Assert.That((await ReadProblemAsync(unknown, HttpStatusCode.UnprocessableEntity)).GetProperty("type").GetString(), Does.EndWith("unknown-rep"));

        await RuleAsync(new { ratePercent = 1m, productCategory = "软件" });
        await RuleAsync(new { ratePercent = 1m });
        foreach (var duplicate in new object[] { new { ratePercent = 2m, productCategory = "软件" }, new { ratePercent = 2m } })
        {
            var conflict = await _admin.PostAsync("/api/v1/sales/commission-rules", JsonBody(duplicate));
            Assert.That((await ReadProblemAsync(conflict, HttpStatusCode.Conflict)).GetProperty("type").GetString(), Does.EndWith("duplicate-commission-rule"));
        }
    }

    [Test]
    public async Task Only_managers_and_admins_write_rules_and_reps_read_them()
    {
        using var manager = Factory.ClientFor(_org.Manager);
        using var marketer = Factory.ClientFor(_org.Marketer);
        using var serviceAgent = Factory.ClientFor(await TestUsers.CreateAsync(Factory, Crm.Modules.Identity.Contracts.Roles.ServiceAgent));
        var rule = await RuleAsync(new { ratePercent = 1m });

        await ReadProblemAsync(await _east.PostAsync("/api/v1/sales/commission-rules", JsonBody(new { ratePercent = 50m })), HttpStatusCode.Forbidden);
        await ReadProblemAsync(await _east.PatchAsync($"/api/v1/sales/commission-rules/{rule.Id}", JsonBody(new { ratePercent = 50m })), HttpStatusCode.Forbidden);
        await ReadProblemAsync(await _east.DeleteAsync($"/api/v1/sales/commission-rules/{rule.Id}"), HttpStatusCode.Forbidden);
        await ReadProblemAsync(await marketer.PostAsync("/api/v1/sales/commission-rules", JsonBody(new { ratePercent = 50m })), HttpStatusCode.Forbidden);
        await ReadProblemAsync(await serviceAgent.GetAsync("/api/v1/sales/commission-rules"), HttpStatusCode.Forbidden);
        await ReadAsync<CommissionRuleResponse>(
            await manager.PostAsync("/api/v1/sales/commission-rules", JsonBody(new { ratePercent = 2m, repId = _org.SouthRep.Id })), HttpStatusCode.Created);
        Assert.That((await ReadAsync<Page<CommissionRuleResponse>>(await _east.GetAsync("/api/v1/sales/commission-rules"), HttpStatusCode.OK)).Items, Has.Count.EqualTo(2));
    }

    private static HttpRequestMessage Patch(Guid id, object body, string? ifMatch)
    {
        var request = new HttpRequestMessage(HttpMethod.Patch, $"/api/v1/sales/commission-rules/{id}") { Content = JsonBody(body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/merge-patch+json");
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        return request;
    }

    [Test]
    public async Task A_patch_changes_rate_and_validity_under_If_Match_and_a_delete_removes_the_rule()
    {
        var created = await _admin.PostAsync("/api/v1/sales/commission-rules", JsonBody(new { ratePercent = 1m, name = "旧", validFrom = new DateOnly(2026, 1, 1) }));
        var rule = await ReadAsync<CommissionRuleResponse>(created, HttpStatusCode.Created);
        var etag = created.Headers.ETag!.ToString();

        await ReadProblemAsync(await _admin.SendAsync(Patch(rule.Id, new { ratePercent = 2m }, "\"1\"")), HttpStatusCode.PreconditionFailed);
        var crossing = await _admin.SendAsync(Patch(rule.Id, new { validTo = new DateOnly(2025, 12, 31) }, etag));
        Assert.That((await ReadProblemAsync(crossing, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("validTo", out _), Is.True);
        var nullRate = await _admin.SendAsync(Patch(rule.Id, new { ratePercent = (decimal?)null }, etag));
        Assert.That((await ReadProblemAsync(nullRate, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("ratePercent", out _), Is.True);

        var patched = await _admin.SendAsync(Patch(rule.Id, new { ratePercent = 2.5m, validTo = new DateOnly(2026, 12, 31), name = (string?)null }, etag));
        var updated = await ReadAsync<CommissionRuleResponse>(patched, HttpStatusCode.OK);
        Assert.Multiple(() =>
        {
            Assert.That(updated.RatePercent, Is.EqualTo(2.5m));
            Assert.That(updated.ValidFrom, Is.EqualTo(new DateOnly(2026, 1, 1)), "absent: unchanged");
            Assert.That(updated.ValidTo, Is.EqualTo(new DateOnly(2026, 12, 31)));
            Assert.That(updated.Name, Is.Null);
            Assert.That(patched.Headers.ETag!.ToString(), Is.Not.EqualTo(etag));
        });

        using var staleDelete = new HttpRequestMessage(HttpMethod.Delete, $"/api/v1/sales/commission-rules/{rule.Id}");
        staleDelete.Headers.TryAddWithoutValidation("If-Match", etag);
        await ReadProblemAsync(await _admin.SendAsync(staleDelete), HttpStatusCode.PreconditionFailed);
        Assert.That((await _admin.DeleteAsync($"/api/v1/sales/commission-rules/{rule.Id}")).StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        await ReadProblemAsync(await _admin.GetAsync($"/api/v1/sales/commission-rules/{rule.Id}"), HttpStatusCode.NotFound);
        await ReadProblemAsync(await _admin.SendAsync(Patch(rule.Id, new { ratePercent = 2m }, null)), HttpStatusCode.NotFound);
        await ReadProblemAsync(await _admin.DeleteAsync($"/api/v1/sales/commission-rules/{rule.Id}"), HttpStatusCode.NotFound);
    }

    [Test]
    public async Task The_rule_list_filters_by_rep_category_level_and_day_in_keyset_pages()
    {
        // A second apart, so creation order is the list order (ids of one instant are not ordered).
        async Task<CommissionRuleResponse> NextRuleAsync(object body)
        {
            Factory.Time.Advance(TimeSpan.FromSeconds(1));
            return await RuleAsync(body);
        }

        var fallback = await NextRuleAsync(new { ratePercent = 1m });
        var software = await NextRuleAsync(new { ratePercent = 2m, productCategory = "软件" });
        var east = await NextRuleAsync(new { ratePercent = 3m, repId = _org.EastRep.Id, validTo = new DateOnly(2026, 6, 30) });
        var eastSoftware = await NextRuleAsync(new { ratePercent = 4m, repId = _org.EastRep.Id, productCategory = "软件", validFrom = new DateOnly(2026, 7, 1) });

        async Task<Guid[]> IdsAsync(string query) =>
            [.. (await ReadAsync<Page<CommissionRuleResponse>>(await _admin.GetAsync($"/api/v1/sales/commission-rules?{query}"), HttpStatusCode.OK)).Items.Select(r => r.Id)];

        var first = await ReadAsync<Page<CommissionRuleResponse>>(await _admin.GetAsync("/api/v1/sales/commission-rules?limit=3&includeTotal=true"), HttpStatusCode.OK);
        var second = await ReadAsync<Page<CommissionRuleResponse>>(
            await _admin.GetAsync($"/api/v1/sales/commission-rules?limit=3&cursor={Uri.EscapeDataString(first.NextCursor!)}"), HttpStatusCode.OK);
        Assert.Multiple(async () =>
        {
            Assert.That(first.Items.Concat(second.Items).Select(r => r.Id), Is.EqualTo(new[] { fallback.Id, software.Id, east.Id, eastSoftware.Id }));
            Assert.That(first.Total, Is.EqualTo(4));
            Assert.That(await IdsAsync($"repId={_org.EastRep.Id}"), Is.EqualTo(new[] { east.Id, eastSoftware.Id }));
            Assert.That(await IdsAsync("productCategory=软件"), Is.EqualTo(new[] { software.Id, eastSoftware.Id }));
            Assert.That(await IdsAsync("level=default"), Is.EqualTo(new[] { fallback.Id }));
            Assert.That(await IdsAsync("level=rep"), Is.EqualTo(new[] { east.Id }));
            Assert.That(await IdsAsync("activeOn=2026-08-01"), Is.EqualTo(new[] { fallback.Id, software.Id, eastSoftware.Id }));
            Assert.That(await IdsAsync("sort=-ratePercent&limit=1"), Is.EqualTo(new[] { eastSoftware.Id }));
        });

        await ReadProblemAsync(await _admin.GetAsync("/api/v1/sales/commission-rules?level=team"), HttpStatusCode.BadRequest);
        await ReadProblemAsync(await _admin.GetAsync("/api/v1/sales/commission-rules?sort=name"), HttpStatusCode.BadRequest);
    }
}
