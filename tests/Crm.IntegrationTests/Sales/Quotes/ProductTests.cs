using System.Net;
using System.Net.Http.Json;
using Crm.IntegrationTests.Infrastructure;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Sales.Features.Products;
using Crm.SharedKernel.Paging;
using static Crm.IntegrationTests.Sales.Quotes.ProductApi;

namespace Crm.IntegrationTests.Sales.Quotes;

internal sealed class ProductTests : IntegrationTest
{
    private HttpClient _manager = null!;
    private HttpClient _rep = null!;

    [SetUp]
    public async Task SignInAsync()
    {
        _manager = Factory.ClientFor(await TestUsers.CreateAsync(Factory, Roles.SalesManager));
        _rep = Factory.ClientFor(await TestUsers.CreateAsync(Factory, Roles.SalesRep));
    }

    [TearDown]
    public void DisposeClients()
    {
        _manager.Dispose();
        _rep.Dispose();
    }

    [Test]
    public async Task A_manager_creates_a_product_with_an_upper_case_SKU_and_anyone_with_sales_read_gets_it_with_its_ETag()
    {
        var (created, etag) = await CreateProductAsync(_manager, new
        {
            sku = " crm-std-01 ", name = "CRM 标准版", unit = "年", category = "软件", description = "按年订阅", listPrice = 12800.50m,
        });

        var response = await _rep.GetAsync($"{Products}/{created.Id}");
        var fetched = await ReadAsync<ProductResponse>(response, HttpStatusCode.OK);
        Assert.Multiple(() =>
        {
            Assert.That(fetched.Sku, Is.EqualTo("CRM-STD-01"));
            Assert.That(fetched.Name, Is.EqualTo("CRM 标准版"));
            Assert.That(fetched.Unit, Is.EqualTo("年"));
            Assert.That(fetched.Category, Is.EqualTo("软件"));
            Assert.That(fetched.Description, Is.EqualTo("按年订阅"));
            Assert.That(fetched.ListPrice, Is.EqualTo(12800.50m));
            Assert.That(fetched.Currency, Is.EqualTo("CNY"));
            Assert.That(fetched.Active, Is.True);
            Assert.That(response.Headers.ETag!.ToString(), Is.EqualTo(etag));
        });
    }

    [Test]
    public async Task A_second_product_with_the_same_SKU_in_another_case_is_409()
    {
        await CreateProductAsync(_manager, "SKU-DUP", "甲", 1m);

        var response = await _manager.PostAsJsonAsync(Products, new { sku = "sku-dup", name = "乙", unit = "台", listPrice = 2m });

        var problem = await ReadProblemAsync(response, HttpStatusCode.Conflict);
        Assert.That(problem.GetProperty("type").GetString(), Is.EqualTo(ProductProblems.DuplicateSkuType));
        Assert.That(await CountAsync("SELECT count(*) FROM sales.products WHERE sku = 'SKU-DUP'"), Is.EqualTo(1));
    }

    [Test]
    public async Task Missing_SKU_name_and_unit_a_negative_price_too_many_decimals_and_a_bad_currency_are_400_with_field_errors()
    {
        var response = await _manager.PostAsJsonAsync(Products, new { sku = "", name = "", unit = "", listPrice = -1m, currency = "RMB1" });
        var errors = (await ReadProblemAsync(response, HttpStatusCode.BadRequest)).GetProperty("errors");
        var precision = await _manager.PostAsJsonAsync(Products, new { sku = "A B", name = "x", unit = "台", listPrice = 1.005m });
        var precisionErrors = (await ReadProblemAsync(precision, HttpStatusCode.BadRequest)).GetProperty("errors");

        Assert.Multiple(() =>
        {
            foreach (var field in new[] { "sku", "name", "unit", "listPrice", "currency" })
            {
                Assert.That(errors.TryGetProperty(field, out _), Is.True, field);
            }

            Assert.That(precisionErrors.TryGetProperty("listPrice", out _), Is.True);
            Assert.That(precisionErrors.TryGetProperty("sku", out _), Is.True);
        });
    }

    [Test]
    public async Task Reps_cannot_create_or_change_products()
    {
        var (product, _) = await CreateProductAsync(_manager, "REP-NO", "甲", 1m);

        var create = await _rep.PostAsJsonAsync(Products, new { sku = "REP-1", name = "x", unit = "台", listPrice = 1m });
        var patch = await _rep.PatchAsJsonAsync($"{Products}/{product.Id}", new { name = "乙" });

        await ReadProblemAsync(create, HttpStatusCode.Forbidden);
        await ReadProblemAsync(patch, HttpStatusCode.Forbidden);
    }

    [Test]
    public async Task An_unknown_product_is_404_for_get_and_patch()
    {
        await ReadProblemAsync(await _rep.GetAsync($"{Products}/{Guid.NewGuid()}"), HttpStatusCode.NotFound);
        await ReadProblemAsync(await _manager.PatchAsJsonAsync($"{Products}/{Guid.NewGuid()}", new { name = "x" }), HttpStatusCode.NotFound);
    }

    [Test]
    public async Task A_merge_patch_changes_only_the_given_fields_clears_nulls_and_deactivates()
    {
        var (product, etag) = await CreateProductAsync(_manager, new { sku = "PATCH-1", name = "甲", unit = "台", listPrice = 10m, category = "硬件", description = "旧" });

        using var request = new HttpRequestMessage(HttpMethod.Patch, $"{Products}/{product.Id}") { Content = JsonBody(new { listPrice = 9.5m, description = (string?)null, active = false }) };
        request.Headers.TryAddWithoutValidation("If-Match", etag);
        var response = await _manager.SendAsync(request);
        var patched = await ReadAsync<ProductResponse>(response, HttpStatusCode.OK);

        Assert.Multiple(() =>
        {
            Assert.That(patched.ListPrice, Is.EqualTo(9.5m));
            Assert.That(patched.Description, Is.Null);
            Assert.That(patched.Active, Is.False);
            Assert.That(patched.Name, Is.EqualTo("甲"));
            Assert.That(patched.Category, Is.EqualTo("硬件"));
            Assert.That(patched.Sku, Is.EqualTo("PATCH-1"));
            Assert.That(response.Headers.ETag!.ToString(), Is.Not.EqualTo(etag));
        });
    }

    [Test]
    public async Task A_patch_with_a_stale_If_Match_is_412_and_changes_nothing()
    {
        var (product, etag) = await CreateProductAsync(_manager, "STALE-1", "甲", 10m);
        await _manager.PatchAsJsonAsync($"{Products}/{product.Id}", new { name = "乙" });

        using var request = new HttpRequestMessage(HttpMethod.Patch, $"{Products}/{product.Id}") { Content = JsonBody(new { name = "丙" }) };
        request.Headers.TryAddWithoutValidation("If-Match", etag);
        await ReadProblemAsync(await _manager.SendAsync(request), HttpStatusCode.PreconditionFailed);

        var fetched = await ReadAsync<ProductResponse>(await _rep.GetAsync($"{Products}/{product.Id}"), HttpStatusCode.OK);
        Assert.That(fetched.Name, Is.EqualTo("乙"));
    }

    [Test]
    public async Task A_patch_with_an_empty_name_a_null_price_or_a_null_active_flag_is_400()
    {
        var (product, _) = await CreateProductAsync(_manager, "BAD-PATCH", "甲", 10m);

        var response = await _manager.PatchAsJsonAsync($"{Products}/{product.Id}", new { name = "", listPrice = (decimal?)null, active = (bool?)null });

        var errors = (await ReadProblemAsync(response, HttpStatusCode.BadRequest)).GetProperty("errors");
        Assert.Multiple(() =>
        {
            Assert.That(errors.TryGetProperty("name", out _), Is.True);
            Assert.That(errors.TryGetProperty("listPrice", out _), Is.True);
            Assert.That(errors.TryGetProperty("active", out _), Is.True);
        });
    }

    [Test]
    public async Task The_list_filters_by_category_active_and_q_on_SKU_or_name_and_pages_by_SKU()
    {
        await CreateProductAsync(_manager, "LST-A", "服务器 A", 1m, "硬件");
        await CreateProductAsync(_manager, "LST-B", "服务器 B", 2m, "硬件");
        await CreateProductAsync(_manager, "LST-C", "实施服务", 3m, "服务");
        var (inactive, _) = await CreateProductAsync(_manager, "LST-D", "旧服务器", 4m, "硬件");
        await _manager.PatchAsJsonAsync($"{Products}/{inactive.Id}", new { active = false });
        await CreateProductAsync(_manager, "OTHER_1", "100% 折扣卡", 5m);

        var hardware = await ReadAsync<Page<ProductResponse>>(await _rep.GetAsync($"{Products}?category=硬件&active=true&limit=1"), HttpStatusCode.OK);
        var next = await ReadAsync<Page<ProductResponse>>(
            await _rep.GetAsync($"{Products}?category=硬件&active=true&limit=1&cursor={Uri.EscapeDataString(hardware.NextCursor!)}"), HttpStatusCode.OK);
        var byName = await ReadAsync<Page<ProductResponse>>(await _rep.GetAsync($"{Products}?q=服务器"), HttpStatusCode.OK);
        var bySku = await ReadAsync<Page<ProductResponse>>(await _rep.GetAsync($"{Products}?q=lst-c"), HttpStatusCode.OK);
        var literal = await ReadAsync<Page<ProductResponse>>(await _rep.GetAsync($"{Products}?q={Uri.EscapeDataString("100%")}"), HttpStatusCode.OK);
        var underscore = await ReadAsync<Page<ProductResponse>>(await _rep.GetAsync($"{Products}?q=T_"), HttpStatusCode.OK);
        var inactiveOnly = await ReadAsync<Page<ProductResponse>>(await _rep.GetAsync($"{Products}?active=false"), HttpStatusCode.OK);

        Assert.Multiple(() =>
        {
            Assert.That(hardware.Items.Select(p => p.Sku), Is.EqualTo(new[] { "LST-A" }));
            Assert.That(next.Items.Select(p => p.Sku), Is.EqualTo(new[] { "LST-B" }));
            Assert.That(next.NextCursor, Is.Null);
            Assert.That(byName.Items.Select(p => p.Sku), Is.EqualTo(new[] { "LST-A", "LST-B", "LST-D" }));
            Assert.That(bySku.Items.Select(p => p.Sku), Is.EqualTo(new[] { "LST-C" }));
            Assert.That(literal.Items.Select(p => p.Sku), Is.EqualTo(new[] { "OTHER_1" }));
            Assert.That(underscore.Items.Select(p => p.Sku), Is.Empty);
            Assert.That(inactiveOnly.Items.Select(p => p.Sku), Is.EqualTo(new[] { "LST-D" }));
        });
    }

    [Test]
    public async Task A_bad_sort_or_a_bad_active_flag_in_the_list_is_400()
    {
        await ReadProblemAsync(await _rep.GetAsync($"{Products}?sort=color"), HttpStatusCode.BadRequest);
        await ReadProblemAsync(await _rep.GetAsync($"{Products}?active=maybe"), HttpStatusCode.BadRequest);
    }

    [Test]
    public async Task Creating_twice_with_the_same_Idempotency_Key_replays_the_first_answer()
    {
        HttpRequestMessage Post()
        {
            var request = new HttpRequestMessage(HttpMethod.Post, Products) { Content = JsonBody(new { sku = "IDEM-1", name = "甲", unit = "台", listPrice = 1m }) };
            request.Headers.TryAddWithoutValidation("Idempotency-Key", "create-product-1");
            return request;
        }

        using var first = Post();
        using var second = Post();
        var created = await ReadAsync<ProductResponse>(await _manager.SendAsync(first), HttpStatusCode.Created);
        var replayed = await ReadAsync<ProductResponse>(await _manager.SendAsync(second), HttpStatusCode.Created);

        Assert.That(replayed.Id, Is.EqualTo(created.Id));
        Assert.That(await CountAsync("SELECT count(*) FROM sales.products WHERE sku = 'IDEM-1'"), Is.EqualTo(1));
    }
}
