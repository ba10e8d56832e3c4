using System.Net;
using Crm.IntegrationTests.Infrastructure;
using Crm.Modules.Identity.Contracts;
using static Crm.IntegrationTests.Customers.CustomerApi;

namespace Crm.IntegrationTests.Customers;

internal sealed class CustomerListTests : IntegrationTest
{
    private HttpClient _admin = null!;

    [SetUp]
    public async Task SignInAdminAsync() => _admin = Factory.ClientFor(await TestUsers.CreateAsync(Factory, Roles.Admin));

    [TearDown]
    public void DisposeAdmin() => _admin.Dispose();

    private async Task<CustomerCrudTests.ListPage> ListAsync(string query) =>
        await ReadAsync<CustomerCrudTests.ListPage>(await _admin.GetAsync("/api/v1/customers" + query), HttpStatusCode.OK);

    private static string Iso(DateTimeOffset at) => Uri.EscapeDataString(at.ToString("O", System.Globalization.CultureInfo.InvariantCulture));

    private async Task<string[]> NamesAsync(string query) => (await ListAsync(query)).Items.Select(c => c.Name).ToArray();

    [Test]
    public async Task Filters_combine_and_each_narrows_the_list()
    {
        await CreateAsync(_admin, new { kind = "organization", name = "杭州甲", province = "浙江省", city = "杭州市", industry = "制造", tier = "A", lifecycleStage = "growth", tags = new[] { "VIP" }, isKeyAccount = true });
        Factory.Time.Advance(TimeSpan.FromMinutes(5));
        var (second, _) = await CreateAsync(_admin, new { kind = "organization", name = "宁波乙", province = "浙江省", city = "宁波市", industry = "制造", tier = "B", lifecycleStage = "potential", relationshipType = "passive" });
        Factory.Time.Advance(TimeSpan.FromMinutes(5));
        await CreateAsync(_admin, new { kind = "individual", name = "王五", province = "江苏省", tier = "A", tags = new[] { "VIP", "老客户" } });

        Assert.Multiple(async () =>
        {
            Assert.That(await NamesAsync("?province=浙江省&sort=name"), Is.EqualTo(new[] { "宁波乙", "杭州甲" }));
            Assert.That(await NamesAsync("?city=杭州市"), Is.EqualTo(new[] { "杭州甲" }));
            Assert.That(await NamesAsync("?tier=A&sort=createdAt"), Is.EqualTo(new[] { "杭州甲", "王五" }));
            Assert.That(await NamesAsync("?stage=potential&industry=制造"), Is.EqualTo(new[] { "宁波乙" }));
            Assert.That(await NamesAsync("?relationshipType=passive"), Is.EqualTo(new[] { "宁波乙" }));
            Assert.That(await NamesAsync("?tag=VIP&sort=createdAt"), Is.EqualTo(new[] { "杭州甲", "王五" }));
            Assert.That(await NamesAsync("?tag=老客户"), Is.EqualTo(new[] { "王五" }));
            Assert.That(await NamesAsync("?isKeyAccount=true"), Is.EqualTo(new[] { "杭州甲" }));
            Assert.That(await NamesAsync("?kind=individual"), Is.EqualTo(new[] { "王五" }));
            Assert.That(await NamesAsync($"?createdFrom={Iso(second.CreatedAt.AddMinutes(-1))}&createdTo={Iso(second.CreatedAt.AddMinutes(1))}"), Is.EqualTo(new[] { "宁波乙" }));
            Assert.That(await NamesAsync($"?updatedFrom={Iso(second.UpdatedAt)}&sort=createdAt"), Is.EqualTo(new[] { "宁波乙", "王五" }));
            Assert.That(await NamesAsync("?status=active&sort=-createdAt"), Is.EqualTo(new[] { "王五", "宁波乙", "杭州甲" }));
            Assert.That(await NamesAsync($"?ownerId={Guid.NewGuid()}"), Is.Empty);
        });
    }

    [Test]
    public async Task Keyset_pages_walk_the_whole_list_in_order_with_an_optional_total()
    {
        for (var i = 0; i < 7; i++)
        {
            await CreateAsync(_admin, $"客户{i}");
        }

        var seen = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await ListAsync($"?limit=3&sort=code&includeTotal={pages == 0}" + (cursor is null ? string.Empty : $"&cursor={cursor}"));
            if (pages == 0)
            {
                Assert.That(page.Total, Is.EqualTo(7));
            }

            seen.AddRange(page.Items.Select(c => c.Code));
            cursor = page.NextCursor;
            pages++;
        }
        while (cursor is not null);

        Assert.Multiple(() =>
        {
            Assert.That(pages, Is.EqualTo(3));
            Assert.That(seen, Has.Count.EqualTo(7).And.Ordered.And.Unique);
        });
    }

    [Test]
    public async Task Q_finds_two_Chinese_characters_three_Latin_letters_phone_fragments_emails_and_codes()
    {
        var huawei = await CreateAsync(_admin, new { kind = "organization", name = "华为技术有限公司", shortName = "华为", phones = new[] { "0755-2878 0808" }, emails = new[] { "Sales@Huawei.com" } });
        await CreateAsync(_admin, new { kind = "organization", name = "中兴通讯股份有限公司", shortName = "中兴", phones = new[] { "+86 755 2664 0000" }, emails = new[] { "info@zte.com.cn" } });
        await CreateAsync(_admin, new { kind = "individual", name = "Zhang Wei", phones = new[] { "13800138000" } });

        Assert.Multiple(async () =>
        {
            Assert.That(await NamesAsync("?q=华为"), Is.EqualTo(new[] { "华为技术有限公司" }));
            Assert.That(await NamesAsync("?q=通讯"), Is.EqualTo(new[] { "中兴通讯股份有限公司" }));
            Assert.That(await NamesAsync("?q=有限公司&sort=name"), Has.Length.EqualTo(2));
            Assert.That(await NamesAsync("?q=zha"), Is.EqualTo(new[] { "Zhang Wei" }));
            Assert.That(await NamesAsync("?q=ZHANG%20WEI"), Is.EqualTo(new[] { "Zhang Wei" }));
            Assert.That(await NamesAsync("?q=2878"), Is.EqualTo(new[] { "华为技术有限公司" }));
            Assert.That(await NamesAsync("?q=138-0013"), Is.EqualTo(new[] { "Zhang Wei" }));
            Assert.That(await NamesAsync("?q=sales@huawei"), Is.EqualTo(new[] { "华为技术有限公司" }));
            Assert.That(await NamesAsync($"?q={huawei.Customer.Code.ToLowerInvariant()}"), Is.EqualTo(new[] { "华为技术有限公司" }));
            Assert.That(await NamesAsync("?q=100%25"), Is.Empty);
        });
    }

    [TestCase("华")]
    [TestCase("zh")]
    [TestCase("13")]
    [TestCase("  ab  ")]
    public async Task Q_shorter_than_the_minimum_is_400_on_q(string q)
    {
        var problem = await ReadProblemAsync(await _admin.GetAsync($"/api/v1/customers?q={Uri.EscapeDataString(q)}"), HttpStatusCode.BadRequest);
        Assert.That(problem.GetProperty("errors").TryGetProperty("q", out _), Is.True);
    }
}
