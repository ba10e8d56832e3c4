using System.Net;
using System.Net.Http.Json;
using Crm.IntegrationTests.Customers;
using Crm.IntegrationTests.Infrastructure;
using Crm.Modules.Sales.Domain;
using Crm.Modules.Sales.Features.Quotes;
using Crm.SharedKernel.Paging;
using static Crm.IntegrationTests.Sales.Quotes.QuoteApi;

namespace Crm.IntegrationTests.Sales.Quotes;

internal sealed class QuoteApprovalTests : IntegrationTest
{
    private QuoteOrg _org = null!;
    private HttpClient _eastRep = null!;
    private HttpClient _eastManager = null!;
    private HttpClient _southManager = null!;
    private HttpClient _admin = null!;
    private Guid _product;
    private Guid _customer;

    [SetUp]
    public async Task SignInAsync()
    {
        _org = await CreateOrgAsync(Factory);
        _eastRep = Factory.ClientFor(_org.EastRep);
        _eastManager = Factory.ClientFor(_org.EastManager);
        _southManager = Factory.ClientFor(_org.SouthManager);
        _admin = Factory.ClientFor(_org.Admin);
        _product = (await ProductApi.CreateProductAsync(_admin, "AP-SRV", "服务器", 100m)).Product.Id;
        _customer = (await CustomerApi.CreateAsync(_eastRep, "审批客户")).Customer.Id;
    }

    [TearDown]
    public void DisposeClients()
    {
        _eastRep.Dispose();
        _eastManager.Dispose();
        _southManager.Dispose();
        _admin.Dispose();
    }

    private async Task<Page<QuoteApprovalResponse>> PendingAsync(HttpClient client) =>
        await ReadAsync<Page<QuoteApprovalResponse>>(await client.GetAsync($"{ApprovalsUrl}?status=pending"), HttpStatusCode.OK);

    private async Task<List<QuoteApprovalResponse>> HistoryAsync(Guid quoteId) =>
        await ReadAsync<List<QuoteApprovalResponse>>(await _eastRep.GetAsync($"{QuotesUrl}/{quoteId}/approvals"), HttpStatusCode.OK);

    [Test]
    public async Task A_discount_over_the_threshold_waits_for_a_manager_and_the_quote_is_sent_only_after_approval()
    {
        var (quote, _) = await CreateAsync(_eastRep, _customer, _product, discountPercent: 15m);

        var early = await _eastRep.SendAsync(Post($"{QuotesUrl}/{quote.Id}/send"));
        var pending = await PendingAsync(_eastManager);
        var request = pending.Items.Single();
        var etag = (await _eastManager.GetAsync($"{ApprovalsUrl}/{request.Id}")).Headers.ETag!.ToString();
        var stale = await _eastManager.SendAsync(Post($"{ApprovalsUrl}/{request.Id}/approve", new { comment = "同意" }, "\"1\""));
        var approved = await ReadAsync<QuoteApprovalResponse>(await _eastManager.SendAsync(Post($"{ApprovalsUrl}/{request.Id}/approve", new { comment = "战略客户，同意" }, etag)), HttpStatusCode.OK);
        var (afterApproval, _) = await GetAsync(_eastRep, quote.Id);
        var sent = await ReadAsync<QuoteResponse>(await _eastRep.SendAsync(Post($"{QuotesUrl}/{quote.Id}/send")), HttpStatusCode.OK);
        var again = await _eastManager.SendAsync(Post($"{ApprovalsUrl}/{request.Id}/reject", new { comment = "改主意" }));

        Assert.Multiple(async () =>
        {
            Assert.That((quote.Status, quote.MaxDiscountPercent, quote.ApprovalThresholdPercent), Is.EqualTo((QuoteStatus.PendingApproval, 15m, 10m)));
            Assert.That((await ReadProblemAsync(early, HttpStatusCode.Conflict)).GetProperty("type").GetString(), Does.EndWith("/quote-approval-required"));
            Assert.That((request.QuoteId, request.QuoteNumber, request.QuoteRevision, request.OwnerId, request.RequestedById),
                Is.EqualTo((quote.Id, quote.Number, 1, (Guid?)_org.EastRep.Id, (Guid?)_org.EastRep.Id)));
            Assert.That((request.MaxDiscountPercent, request.ThresholdPercent, request.QuoteTotal), Is.EqualTo((15m, 10m, quote.Total)));
            await ReadProblemAsync(stale, HttpStatusCode.PreconditionFailed);
            Assert.That((approved.Status, approved.DecidedById, approved.Comment), Is.EqualTo((QuoteApprovalStatus.Approved, (Guid?)_org.EastManager.Id, "战略客户，同意")));
            Assert.That(afterApproval.Status, Is.EqualTo(QuoteStatus.Approved));
            Assert.That(sent.Status, Is.EqualTo(QuoteStatus.Sent));
            Assert.That((await ReadProblemAsync(again, HttpStatusCode.Conflict)).GetProperty("type").GetString(), Does.EndWith("/approval-not-pending"));
            Assert.That((await PendingAsync(_eastManager)).Items, Is.Empty);
            Assert.That((await HistoryAsync(quote.Id)).Select(a => (a.Status, a.Comment)), Is.EqualTo(new[] { (QuoteApprovalStatus.Approved, "战略客户，同意") }));
        });
    }

    [Test]
    public async Task A_lowered_unit_price_counts_as_a_discount_and_a_discount_at_the_threshold_needs_no_approval()
    {
        var (lowered, _) = await CreateAsync(_eastRep, new { customerId = _customer, title = "x", lines = new[] { new { productId = _product, quantity = 1m, unitPrice = 85m } } });
        var (atThreshold, _) = await CreateAsync(_eastRep, _customer, _product, discountPercent: 10m);
        var (combined, _) = await CreateAsync(_eastRep, new
        {
            customerId = _customer,
            title = "x",
            lines = new[] { new { productId = _product, quantity = 1m, unitPrice = 95m, discountPercent = 6m } },
        });

        Assert.Multiple(() =>
        {
            Assert.That((lowered.Status, lowered.Lines[0].EffectiveDiscountPercent), Is.EqualTo((QuoteStatus.PendingApproval, 15m)));
            Assert.That((atThreshold.Status, atThreshold.MaxDiscountPercent), Is.EqualTo((QuoteStatus.Draft, 10m)));
            Assert.That((combined.Status, combined.MaxDiscountPercent), Is.EqualTo((QuoteStatus.PendingApproval, 10.7m)), "1 − 95 × 0.94 / 100");
        });
    }

    [Test]
    public async Task A_rejection_needs_a_comment_and_sends_the_quote_back_to_draft_where_a_smaller_discount_can_be_sent()
    {
        var (quote, _) = await CreateAsync(_eastRep, _customer, _product, discountPercent: 20m);
        var request = (await PendingAsync(_eastManager)).Items.Single();

        var noComment = await _eastManager.SendAsync(Post($"{ApprovalsUrl}/{request.Id}/reject"));
        var rejected = await ReadAsync<QuoteApprovalResponse>(await _eastManager.SendAsync(Post($"{ApprovalsUrl}/{request.Id}/reject", new { comment = "折扣过大，最多 8%" })), HttpStatusCode.OK);
        var (back, etag) = await GetAsync(_eastRep, quote.Id);
        var lowered = await ReadAsync<QuoteResponse>(
            await _eastRep.SendAsync(Patch(quote.Id, new { lines = new[] { new { productId = _product, quantity = 1m, discountPercent = 8m } } }, etag)), HttpStatusCode.OK);
        var sent = await ReadAsync<QuoteResponse>(await _eastRep.SendAsync(Post($"{QuotesUrl}/{quote.Id}/send")), HttpStatusCode.OK);

        Assert.Multiple(async () =>
        {
            Assert.That((await ReadProblemAsync(noComment, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("comment", out _), Is.True);
            Assert.That((rejected.Status, rejected.Comment), Is.EqualTo((QuoteApprovalStatus.Rejected, "折扣过大，最多 8%")));
            Assert.That(back.Status, Is.EqualTo(QuoteStatus.Draft));
            Assert.That(lowered.Status, Is.EqualTo(QuoteStatus.Draft));
            Assert.That(sent.Status, Is.EqualTo(QuoteStatus.Sent));
            Assert.That((await HistoryAsync(quote.Id)).Select(a => a.Status), Is.EqualTo(new[] { QuoteApprovalStatus.Rejected }));
        });
    }

    [Test]
    public async Task Changing_the_lines_of_a_pending_or_approved_quote_withdraws_or_voids_the_approval_and_asks_again()
    {
        var (quote, _) = await CreateAsync(_eastRep, _customer, _product, discountPercent: 15m);
        var first = (await PendingAsync(_eastManager)).Items.Single();

        // Requests are listed by when they were raised: the clock moves between the edits.
        Factory.Time.Advance(TimeSpan.FromMinutes(1));
        await ReadAsync<QuoteResponse>(await _eastRep.SendAsync(Patch(quote.Id, new { lines = new[] { new { productId = _product, quantity = 2m, discountPercent = 12m } } })), HttpStatusCode.OK);
        var second = (await PendingAsync(_eastManager)).Items.Single();
        var stale = await _eastManager.SendAsync(Post($"{ApprovalsUrl}/{first.Id}/approve"));
        await ReadAsync<QuoteApprovalResponse>(await _eastManager.SendAsync(Post($"{ApprovalsUrl}/{second.Id}/approve")), HttpStatusCode.OK);
        var retitled = await ReadAsync<QuoteResponse>(await _eastRep.SendAsync(Patch(quote.Id, new { title = "只改标题" })), HttpStatusCode.OK);
        Factory.Time.Advance(TimeSpan.FromMinutes(1));
        var relined = await ReadAsync<QuoteResponse>(await _eastRep.SendAsync(Patch(quote.Id, new { lines = new[] { new { productId = _product, quantity = 3m, discountPercent = 12m } } })), HttpStatusCode.OK);

        Assert.Multiple(async () =>
        {
            Assert.That(second.Id, Is.Not.EqualTo(first.Id));
            Assert.That((await ReadProblemAsync(stale, HttpStatusCode.Conflict)).GetProperty("type").GetString(), Does.EndWith("/approval-not-pending"));
            Assert.That(retitled.Status, Is.EqualTo(QuoteStatus.Approved), "title, validity and notes do not touch the approved figures");
            Assert.That(relined.Status, Is.EqualTo(QuoteStatus.PendingApproval), "new figures need a new approval");
            Assert.That((await HistoryAsync(quote.Id)).Select(a => a.Status),
                Is.EqualTo(new[] { QuoteApprovalStatus.Withdrawn, QuoteApprovalStatus.Approved, QuoteApprovalStatus.Pending }));
        });
    }

    [Test]
    public async Task Revising_a_pending_quote_withdraws_its_request_and_the_new_revision_asks_again()
    {
        var (quote, _) = await CreateAsync(_eastRep, _customer, _product, discountPercent: 15m);

        var v2 = await ReadAsync<QuoteResponse>(await _eastRep.SendAsync(Post($"{QuotesUrl}/{quote.Id}/revise")), HttpStatusCode.Created);
        var pending = await PendingAsync(_eastManager);

        Assert.Multiple(async () =>
        {
            Assert.That(v2.Status, Is.EqualTo(QuoteStatus.PendingApproval));
            Assert.That(pending.Items.Select(a => (a.QuoteId, a.QuoteRevision)), Is.EqualTo(new[] { (v2.Id, 2) }));
            Assert.That((await HistoryAsync(quote.Id)).Select(a => a.Status), Is.EqualTo(new[] { QuoteApprovalStatus.Withdrawn }));
        });
    }

    [Test]
    public async Task Managers_decide_for_their_team_only_reps_cannot_and_nobody_approves_their_own_discount()
    {
        var (repQuote, _) = await CreateAsync(_eastRep, _customer, _product, discountPercent: 15m);
        var managerCustomer = (await CustomerApi.CreateAsync(_eastManager, "经理的客户")).Customer.Id;
        var (managerQuote, _) = await CreateAsync(_eastManager, managerCustomer, _product, discountPercent: 30m);
        var requests = (await PendingAsync(_eastManager)).Items.ToDictionary(a => a.QuoteId, a => a.Id);

        var repList = await _eastRep.GetAsync($"{ApprovalsUrl}?status=pending");
        var repApprove = await _eastRep.SendAsync(Post($"{ApprovalsUrl}/{requests[repQuote.Id]}/approve"));
        var otherTeam = await _southManager.SendAsync(Post($"{ApprovalsUrl}/{requests[repQuote.Id]}/approve"));
        var southPending = await PendingAsync(_southManager);
        var own = await _eastManager.SendAsync(Post($"{ApprovalsUrl}/{requests[managerQuote.Id]}/approve"));
        var byAdmin = await ReadAsync<QuoteApprovalResponse>(await _admin.SendAsync(Post($"{ApprovalsUrl}/{requests[managerQuote.Id]}/approve", new { comment = "OK" })), HttpStatusCode.OK);
        var unknown = await _admin.GetAsync($"{ApprovalsUrl}/{Guid.NewGuid()}");
        var badStatus = await _admin.GetAsync($"{ApprovalsUrl}?status=maybe");

        Assert.Multiple(async () =>
        {
            Assert.That(requests.Keys, Is.EquivalentTo(new[] { repQuote.Id, managerQuote.Id }));
            await ReadProblemAsync(repList, HttpStatusCode.Forbidden);
            await ReadProblemAsync(repApprove, HttpStatusCode.Forbidden);
            await ReadProblemAsync(otherTeam, HttpStatusCode.NotFound);
            Assert.That(southPending.Items, Is.Empty);
            await ReadProblemAsync(own, HttpStatusCode.Forbidden);
            Assert.That((byAdmin.Status, byAdmin.DecidedById), Is.EqualTo((QuoteApprovalStatus.Approved, (Guid?)_org.Admin.Id)));
            await ReadProblemAsync(unknown, HttpStatusCode.NotFound);
            Assert.That((await ReadProblemAsync(badStatus, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("status", out _), Is.True);
        });
    }

    [Test]
    public async Task Managers_set_the_threshold_with_If_Match_and_it_applies_to_lines_saved_afterwards()
    {
        var (before, _) = await CreateAsync(_eastRep, _customer, _product, discountPercent: 15m);
        var defaults = await _eastRep.GetAsync(SettingsUrl);
        var defaultSettings = await ReadAsync<QuoteSettingsResponse>(defaults, HttpStatusCode.OK);

        var byRep = await _eastRep.PutAsJsonAsync(SettingsUrl, new { discountApprovalThresholdPercent = 50m });
        var invalid = await _eastManager.PutAsJsonAsync(SettingsUrl, new { discountApprovalThresholdPercent = 100.5m });
        var set = new HttpRequestMessage(HttpMethod.Put, SettingsUrl) { Content = JsonBody(new { discountApprovalThresholdPercent = 20m }) };
        set.Headers.TryAddWithoutValidation("If-Match", defaults.Headers.ETag!.ToString());
        var updated = await _eastManager.SendAsync(set);
        var updatedSettings = await ReadAsync<QuoteSettingsResponse>(updated, HttpStatusCode.OK);
        var stale = new HttpRequestMessage(HttpMethod.Put, SettingsUrl) { Content = JsonBody(new { discountApprovalThresholdPercent = 5m }) };
        stale.Headers.TryAddWithoutValidation("If-Match", defaults.Headers.ETag!.ToString());
        var staleResponse = await _eastManager.SendAsync(stale);
        var (after, _) = await CreateAsync(_eastRep, _customer, _product, discountPercent: 15m);
        var (unchanged, _) = await GetAsync(_eastRep, before.Id);

        Assert.Multiple(async () =>
        {
            Assert.That((defaultSettings.DiscountApprovalThresholdPercent, defaultSettings.UpdatedAt), Is.EqualTo((10m, (DateTimeOffset?)null)));
            await ReadProblemAsync(byRep, HttpStatusCode.Forbidden);
            Assert.That((await ReadProblemAsync(invalid, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("discountApprovalThresholdPercent", out _), Is.True);
            Assert.That(updatedSettings.DiscountApprovalThresholdPercent, Is.EqualTo(20m));
            Assert.That(updated.Headers.ETag!.ToString(), Is.Not.EqualTo(defaults.Headers.ETag!.ToString()));
            await ReadProblemAsync(staleResponse, HttpStatusCode.PreconditionFailed);
            Assert.That((after.Status, after.ApprovalThresholdPercent), Is.EqualTo((QuoteStatus.Draft, 20m)));
            Assert.That((unchanged.Status, unchanged.ApprovalThresholdPercent), Is.EqualTo((QuoteStatus.PendingApproval, 10m)), "a saved quote keeps its threshold");
        });
    }
}
