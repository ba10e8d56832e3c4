using System.Net;
using Crm.IntegrationTests.Customers;
using Crm.IntegrationTests.Infrastructure;
using Crm.Modules.Sales.Features.Quotes;
using static Crm.IntegrationTests.Sales.Quotes.QuoteApi;

namespace Crm.IntegrationTests.Sales.Quotes;

internal sealed class QuoteTimelineTests : IntegrationTest
{
    [Test]
    public async Task Sending_accepting_and_rejecting_quotes_raise_events_that_land_on_the_customer_timeline()
    {
        var org = await CreateOrgAsync(Factory);
        using var rep = Factory.ClientFor(org.EastRep);
        using var director = Factory.ClientFor(org.Director);
        var product = (await ProductApi.CreateProductAsync(director, "Q-TL", "时间线产品", 100m)).Product.Id;
        var customer = (await CustomerApi.CreateAsync(rep, "报价时间线客户")).Customer.Id;
        var (accepted, _) = await CreateAsync(rep, customer, product);
        var (rejected, _) = await CreateAsync(rep, customer, product, quantity: 2m);
        var (draft, _) = await CreateAsync(rep, customer, product, quantity: 3m);

        await ReadAsync<QuoteResponse>(await rep.SendAsync(Post($"{QuotesUrl}/{accepted.Id}/send")), HttpStatusCode.OK);
        await ReadAsync<QuoteResponse>(await rep.SendAsync(Post($"{QuotesUrl}/{accepted.Id}/accept")), HttpStatusCode.OK);
        await ReadAsync<QuoteResponse>(await rep.SendAsync(Post($"{QuotesUrl}/{rejected.Id}/send")), HttpStatusCode.OK);
        await ReadAsync<QuoteResponse>(await rep.SendAsync(Post($"{QuotesUrl}/{rejected.Id}/reject", new { reason = "价格太高" })), HttpStatusCode.OK);
        await ReadProblemAsync(await rep.SendAsync(Post($"{QuotesUrl}/{draft.Id}/accept")), HttpStatusCode.Conflict);
        await DispatchOutboxAsync();

        var timeline = await ReadAsync<TimelineTests.TimelinePage>(await rep.GetAsync($"/api/v1/customers/{customer}/timeline?limit=50&kind=quote"), HttpStatusCode.OK);

        Assert.Multiple(async () =>
        {
            Assert.That(timeline.Items.Select(e => e.Summary), Is.EquivalentTo(new[]
            {
                $"Quote {accepted.DisplayNumber} sent: 113.00 CNY",
                $"Quote {accepted.DisplayNumber} accepted: 113.00 CNY",
                $"Quote {rejected.DisplayNumber} sent: 226.00 CNY",
                $"Quote {rejected.DisplayNumber} rejected (价格太高): 226.00 CNY",
            }));
            Assert.That(timeline.Items.Select(e => e.SourceModule).Distinct(), Is.EqualTo(new[] { "sales" }));
            Assert.That(
                await CountAsync($"SELECT count(*) FROM sales.outbox_messages WHERE type LIKE '%QuoteRejected' AND payload->>'quoteId' = '{rejected.Id}' AND payload->>'reason' = '价格太高'"),
                Is.EqualTo(1));
            Assert.That(await CountAsync($"SELECT count(*) FROM sales.outbox_messages WHERE payload->>'quoteId' = '{draft.Id}'"), Is.Zero, "a refused action raises nothing");
        });
    }
}
