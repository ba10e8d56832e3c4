using System.Net;
using System.Text;
using Crm.IntegrationTests.Infrastructure;
using Crm.Modules.Customers.Contracts;
using Crm.Modules.Customers.Domain;
using Crm.Modules.Customers.Features.Contacts;
using Crm.Modules.Identity.Contracts;
using Microsoft.Extensions.DependencyInjection;
using static Crm.IntegrationTests.Customers.CustomerApi;

namespace Crm.IntegrationTests.Customers;

internal sealed class ContactTests : IntegrationTest
{
    private HttpClient _rep = null!;
    private TestUser _repUser = null!;

    internal sealed record ContactPage(List<ContactResponse> Items, string? NextCursor);

    [SetUp]
    public async Task SignInRepAsync()
    {
        _repUser = await TestUsers.CreateAsync(Factory, Roles.SalesRep);
        _rep = Factory.ClientFor(_repUser);
    }

    [TearDown]
    public void DisposeRep() => _rep.Dispose();

    private async Task<(ContactResponse Contact, string ETag)> CreateContactAsync(Guid customerId, object body)
    {
        var response = await _rep.PostAsync($"/api/v1/customers/{customerId}/contacts", JsonBody(body));
        var contact = await ReadAsync<ContactResponse>(response, HttpStatusCode.Created);
        Assert.That(response.Headers.Location!.ToString(), Is.EqualTo($"/api/v1/contacts/{contact.Id}"));
        return (contact, response.Headers.ETag!.ToString());
    }

    private static StringContent MergePatch(string json) => new(json, Encoding.UTF8, "application/merge-patch+json");

    private static HttpRequestMessage WithIfMatch(HttpMethod method, string uri, HttpContent? content, string etag)
    {
        var request = new HttpRequestMessage(method, uri) { Content = content };
        request.Headers.TryAddWithoutValidation("If-Match", etag);
        return request;
    }

    private static object Window => new { days = new[] { "monday", "tuesday", "wednesday", "thursday", "friday" }, from = "09:00:00", to = "12:00:00", timeZone = "Asia/Shanghai" };

    [Test]
    public async Task A_contact_is_created_read_listed_patched_and_archived()
    {
        var (customer, _) = await CreateAsync(_rep, "阿里巴巴");
        var (created, etag) = await CreateContactAsync(customer.Id, new
        {
            name = "马经理",
            title = "采购总监",
            decisionRole = "decisionMaker",
            phones = new[] { "138 0013 8000" },
            emails = new[] { "Ma@Alibaba.com" },
            weChatId = "ma_manager",
            birthday = "1980-05-04",
            preferredChannel = "wechat",
            contactWindow = Window,
        });
        Factory.Time.Advance(TimeSpan.FromSeconds(1));
        await CreateContactAsync(customer.Id, new { name = "张助理", decisionRole = "gatekeeper" });

        var fetched = await ReadAsync<ContactResponse>(await _rep.GetAsync($"/api/v1/contacts/{created.Id}"), HttpStatusCode.OK);
        Assert.Multiple(() =>
        {
            Assert.That(fetched.Name, Is.EqualTo("马经理"));
            Assert.That(fetched.CustomerId, Is.EqualTo(customer.Id));
            Assert.That(fetched.DecisionRole, Is.EqualTo(DecisionRole.DecisionMaker));
            Assert.That(fetched.Phones, Is.EqualTo(new[] { "13800138000" }));
            Assert.That(fetched.Emails, Is.EqualTo(new[] { "ma@alibaba.com" }));
            Assert.That(fetched.Birthday, Is.EqualTo(new DateOnly(1980, 5, 4)));
            Assert.That(fetched.PreferredChannel, Is.EqualTo(ContactChannel.Wechat));
            Assert.That(fetched.ContactWindow!.TimeZone, Is.EqualTo("Asia/Shanghai"));
            Assert.That(fetched.ContactWindow.From, Is.EqualTo(new TimeOnly(9, 0)));
            Assert.That(fetched.Consents.Select(c => c.State), Is.EqualTo(Enumerable.Repeat(ConsentState.Unknown, 6)));
        });

        var page = await ReadAsync<ContactPage>(await _rep.GetAsync($"/api/v1/customers/{customer.Id}/contacts?limit=1"), HttpStatusCode.OK);
        Assert.That(page.Items.Select(c => c.Name), Is.EqualTo(new[] { "马经理" }));
        var next = await ReadAsync<ContactPage>(await _rep.GetAsync($"/api/v1/customers/{customer.Id}/contacts?limit=1&cursor={page.NextCursor}"), HttpStatusCode.OK);
        Assert.That(next.Items.Select(c => c.Name), Is.EqualTo(new[] { "张助理" }));

        var patched = await _rep.SendAsync(WithIfMatch(HttpMethod.Patch, $"/api/v1/contacts/{created.Id}", MergePatch("""{"title":"副总裁","contactWindow":null}"""), etag));
        var updated = await ReadAsync<ContactResponse>(patched, HttpStatusCode.OK);
        Assert.Multiple(() =>
        {
            Assert.That(updated.Title, Is.EqualTo("副总裁"));
            Assert.That(updated.ContactWindow, Is.Null);
            Assert.That(updated.WeChatId, Is.EqualTo("ma_manager"));
        });

        var stale = await _rep.SendAsync(WithIfMatch(HttpMethod.Delete, $"/api/v1/contacts/{created.Id}", null, etag));
        await ReadProblemAsync(stale, HttpStatusCode.PreconditionFailed);
        var archived = await ReadAsync<ContactResponse>(await _rep.DeleteAsync($"/api/v1/contacts/{created.Id}"), HttpStatusCode.OK);
        Assert.That(archived.IsArchived, Is.True);
        var remaining = await ReadAsync<ContactPage>(await _rep.GetAsync($"/api/v1/customers/{customer.Id}/contacts"), HttpStatusCode.OK);
        Assert.That(remaining.Items.Select(c => c.Name), Is.EqualTo(new[] { "张助理" }));
        await ReadProblemAsync(await _rep.PatchAsync($"/api/v1/contacts/{created.Id}", MergePatch("""{"title":"x"}""")), HttpStatusCode.Conflict);
    }

    [Test]
    public async Task Bad_fields_and_a_bad_window_are_400_with_field_errors()
    {
        var (customer, _) = await CreateAsync(_rep, "测试公司");
        var response = await _rep.PostAsync($"/api/v1/customers/{customer.Id}/contacts", JsonBody(new
        {
            name = "",
            emails = new[] { "nope" },
            birthday = "2999-01-01",
            contactWindow = new { days = Array.Empty<string>(), from = "09:00:00", to = "09:00:00", timeZone = "Mars/Olympus" },
        }));
        var errors = (await ReadProblemAsync(response, HttpStatusCode.BadRequest)).GetProperty("errors");
        Assert.Multiple(() =>
        {
            foreach (var field in new[] { "name", "emails[0]", "birthday", "contactWindow.days", "contactWindow.to", "contactWindow.timeZone" })
            {
                Assert.That(errors.TryGetProperty(field, out _), Is.True, field + " in " + errors);
            }
        });

        var badChannel = await _rep.PostAsync($"/api/v1/customers/{customer.Id}/contacts", JsonBody(new { name = "x", preferredChannel = "pigeon" }));
        await ReadProblemAsync(badChannel, HttpStatusCode.BadRequest);
    }

    [Test]
    public async Task Contacts_of_a_customer_the_caller_cannot_see_are_404()
    {
        var other = await TestUsers.CreateAsync(Factory, Roles.SalesRep);
        using var otherClient = Factory.ClientFor(other);
        var (customer, _) = await CreateAsync(_rep, "别人的客户");
        var (contact, _) = await CreateContactAsync(customer.Id, new { name = "李四" });

        await ReadProblemAsync(await otherClient.GetAsync($"/api/v1/contacts/{contact.Id}"), HttpStatusCode.NotFound);
        await ReadProblemAsync(await otherClient.GetAsync($"/api/v1/customers/{customer.Id}/contacts"), HttpStatusCode.NotFound);
        await ReadProblemAsync(await otherClient.PostAsync($"/api/v1/customers/{customer.Id}/contacts", JsonBody(new { name = "x" })), HttpStatusCode.NotFound);
        await ReadProblemAsync(await otherClient.PatchAsync($"/api/v1/contacts/{contact.Id}", MergePatch("""{"title":"x"}""")), HttpStatusCode.NotFound);
        await ReadProblemAsync(await otherClient.DeleteAsync($"/api/v1/contacts/{contact.Id}"), HttpStatusCode.NotFound);
        await ReadProblemAsync(
            await otherClient.PostAsync($"/api/v1/contacts/{contact.Id}/consents", JsonBody(new { channel = "email", state = "optedOut", source = "x" })),
            HttpStatusCode.NotFound);
    }

    [Test]
    public async Task An_opt_out_sticks_is_kept_in_history_and_IContactConsent_refuses_the_channel()
    {
        var (customer, _) = await CreateAsync(_rep, "京东");
        var (contact, _) = await CreateContactAsync(customer.Id, new { name = "刘先生", contactWindow = Window });

        var optOut = await _rep.PostAsync($"/api/v1/contacts/{contact.Id}/consents", JsonBody(new { channel = "email", state = "optedOut", source = "退订链接" }));
        var afterOptOut = await ReadAsync<ContactResponse>(optOut, HttpStatusCode.OK);
        var email = afterOptOut.Consents.Single(c => c.Channel == ContactChannel.Email);
        Assert.Multiple(() =>
        {
            Assert.That(email.State, Is.EqualTo(ConsentState.OptedOut));
            Assert.That(email.Source, Is.EqualTo("退订链接"));
            Assert.That(email.ChangedAt, Is.EqualTo(Factory.Time.GetUtcNow()));
        });

        // Neither a reset to unknown nor a patch of the contact brings the channel back.
        var reset = await _rep.PostAsync($"/api/v1/contacts/{contact.Id}/consents", JsonBody(new { channel = "email", state = "unknown", source = "import" }));
        await ReadProblemAsync(reset, (HttpStatusCode)422);
        await ReadAsync<ContactResponse>(await _rep.PatchAsync($"/api/v1/contacts/{contact.Id}", MergePatch("""{"emails":["new@jd.com"]}""")), HttpStatusCode.OK);
        var again = await ReadAsync<ContactResponse>(await _rep.GetAsync($"/api/v1/contacts/{contact.Id}"), HttpStatusCode.OK);
        Assert.That(again.Consents.Single(c => c.Channel == ContactChannel.Email).State, Is.EqualTo(ConsentState.OptedOut));

        await using var scope = Factory.Services.CreateAsyncScope();
        var consent = scope.ServiceProvider.GetRequiredService<IContactConsent>();
        // 2026-11-23 is a Monday: 10:00 in Shanghai is 02:00 UTC, inside the 09:00-12:00 window; 16:00 is outside.
        var inside = new DateTimeOffset(2026, 11, 23, 2, 0, 0, TimeSpan.Zero);
        var outside = new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero);
        var saturday = new DateTimeOffset(2026, 11, 28, 2, 0, 0, TimeSpan.Zero);
        Assert.Multiple(async () =>
        {
            Assert.That(await consent.CheckAsync(contact.Id, "email", inside, CancellationToken.None),
                Is.EqualTo(new ContactReachability(false, "optedOut", true, "optedOut")));
            Assert.That(await consent.CheckAsync(contact.Id, "phone", inside, CancellationToken.None),
                Is.EqualTo(new ContactReachability(true, "unknown", true, null)));
            Assert.That(await consent.CheckAsync(contact.Id, "PHONE", outside, CancellationToken.None),
                Is.EqualTo(new ContactReachability(false, "unknown", false, "outsideWindow")));
            Assert.That((await consent.CheckAsync(contact.Id, "phone", saturday, CancellationToken.None)).Reason, Is.EqualTo("outsideWindow"));
            Assert.That((await consent.CheckAsync(Guid.NewGuid(), "phone", inside, CancellationToken.None)).Reason, Is.EqualTo("notFound"));
        });
        Assert.ThrowsAsync<ArgumentException>(() => consent.CheckAsync(contact.Id, "pigeon", inside, CancellationToken.None));

        // Only an explicit grant lifts the opt-out; every change is in the history.
        var grant = await _rep.PostAsync($"/api/v1/contacts/{contact.Id}/consents", JsonBody(new { channel = "email", state = "granted", source = "客户来电同意" }));
        await ReadAsync<ContactResponse>(grant, HttpStatusCode.OK);
        Assert.That((await consent.CheckAsync(contact.Id, "email", inside, CancellationToken.None)).Reachable, Is.True);
        var history = await ReadAsync<List<ConsentChangeResponse>>(await _rep.GetAsync($"/api/v1/contacts/{contact.Id}/consents"), HttpStatusCode.OK);
        Assert.That(history.Select(h => (h.PreviousState, h.State)), Is.EqualTo(new[]
        {
            (ConsentState.OptedOut, ConsentState.Granted),
            (ConsentState.Unknown, ConsentState.OptedOut),
        }));
        Assert.That(await CountAsync("SELECT count(*) FROM customers.contact_consent_changes"), Is.EqualTo(2));
    }

    [Test]
    public async Task A_consent_change_honours_If_Match_and_validates_its_body()
    {
        var (customer, _) = await CreateAsync(_rep, "腾讯");
        var (contact, etag) = await CreateContactAsync(customer.Id, new { name = "王女士" });
        await ReadAsync<ContactResponse>(await _rep.PatchAsync($"/api/v1/contacts/{contact.Id}", MergePatch("""{"title":"经理"}""")), HttpStatusCode.OK);

        var stale = await _rep.SendAsync(WithIfMatch(HttpMethod.Post, $"/api/v1/contacts/{contact.Id}/consents",
            JsonBody(new { channel = "sms", state = "optedOut", source = "短信回复TD" }), etag));
        await ReadProblemAsync(stale, HttpStatusCode.PreconditionFailed);

        var invalid = await _rep.PostAsync($"/api/v1/contacts/{contact.Id}/consents", JsonBody(new { source = "" }));
        var errors = (await ReadProblemAsync(invalid, HttpStatusCode.BadRequest)).GetProperty("errors");
        Assert.Multiple(() =>
        {
            Assert.That(errors.TryGetProperty("channel", out _), Is.True, errors.ToString());
            Assert.That(errors.TryGetProperty("state", out _), Is.True, errors.ToString());
            Assert.That(errors.TryGetProperty("source", out _), Is.True, errors.ToString());
        });
    }
}
