using Crm.Modules.Customers.Contracts;
using System.Buffers.Binary;
using System.Globalization;
using Crm.Modules.Customers.Domain;
using Crm.Modules.Customers.Features.Regions;
using Npgsql;
using NpgsqlTypes;

namespace Crm.Benchmarks;

internal sealed record SeededData(int Teams, int Users, int Customers, TimeSpan Elapsed);

/// <summary>
/// Deterministic (seeded) fake organisation and customer archive, written with binary COPY straight into
/// identity.teams, identity.users and customers.customers. The derived search columns come from the
/// module's own <see cref="CustomerSearch"/>, so they are exactly what the API would store; the code comes
/// from the column's sequence default.
/// </summary>
internal static class DataGenerator
{
    private static readonly (string Province, string City, string AreaCode, string[] Districts)[] Regions =
    [
        ("广东省", "深圳市", "0755", ["南山区", "福田区", "龙岗区", "宝安区"]),
        ("广东省", "广州市", "020", ["天河区", "越秀区", "海珠区", "番禺区"]),
        ("广东省", "佛山市", "0757", ["禅城区", "南海区", "顺德区"]),
        ("北京市", "北京市", "010", ["海淀区", "朝阳区", "东城区", "西城区"]),
        ("上海市", "上海市", "021", ["浦东新区", "徐汇区", "静安区", "闵行区"]),
        ("浙江省", "杭州市", "0571", ["西湖区", "滨江区", "余杭区"]),
        ("浙江省", "宁波市", "0574", ["鄞州区", "海曙区"]),
        ("江苏省", "南京市", "025", ["玄武区", "鼓楼区", "江宁区"]),
        ("江苏省", "苏州市", "0512", ["相城区", "姑苏区", "吴中区"]),
        ("四川省", "成都市", "028", ["武侯区", "锦江区", "青羊区"]),
        ("湖北省", "武汉市", "027", ["洪山区", "江汉区", "武昌区"]),
        ("山东省", "青岛市", "0532", ["市南区", "崂山区"]),
        ("福建省", "厦门市", "0592", ["思明区", "湖里区"]),
        ("陕西省", "西安市", "029", ["雁塔区", "碑林区"]),
    ];

    private static readonly RegionCatalog Catalog = new();

    private static readonly (string Hanzi, string Pinyin)[] NameChars =
    [
        ("华", "hua"), ("信", "xin"), ("达", "da"), ("盛", "sheng"), ("宏", "hong"), ("远", "yuan"), ("恒", "heng"),
        ("通", "tong"), ("鑫", "xin"), ("泰", "tai"), ("安", "an"), ("瑞", "rui"), ("丰", "feng"), ("海", "hai"),
        ("天", "tian"), ("金", "jin"), ("新", "xin"), ("博", "bo"), ("创", "chuang"), ("联", "lian"), ("嘉", "jia"),
        ("润", "run"), ("明", "ming"), ("东", "dong"), ("方", "fang"), ("中", "zhong"), ("科", "ke"), ("兴", "xing"),
        ("昌", "chang"), ("永", "yong"), ("国", "guo"), ("光", "guang"), ("志", "zhi"), ("诚", "cheng"), ("德", "de"),
        ("汇", "hui"), ("佳", "jia"), ("乐", "le"), ("美", "mei"), ("优", "you"),
    ];

    private static readonly (string Hanzi, string English, string Industry)[] Trades =
    [
        ("科技", "Technology", "软件和信息技术服务业"), ("电子", "Electronics", "计算机、通信和其他电子设备制造业"),
        ("贸易", "Trading", "批发业"), ("物流", "Logistics", "交通运输、仓储和邮政业"), ("医药", "Pharmaceutical", "医药制造业"),
        ("建设", "Construction", "建筑业"), ("食品", "Foods", "食品制造业"), ("机械", "Machinery", "通用设备制造业"),
        ("能源", "Energy", "电力、热力生产和供应业"), ("教育", "Education", "教育"), ("咨询", "Consulting", "商务服务业"),
        ("纺织", "Textile", "纺织业"), ("汽车", "Automotive", "汽车制造业"), ("环保", "Environmental", "生态保护和环境治理业"),
    ];

    private static readonly string[] Suffixes = ["有限公司", "股份有限公司", "集团有限公司", "有限责任公司"];
    private static readonly string[] Surnames = ["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "林", "罗", "高"];
    private static readonly string[] SurnamePinyin = ["wang", "li", "zhang", "liu", "chen", "yang", "huang", "zhao", "wu", "zhou", "xu", "sun", "ma", "zhu", "hu", "guo", "he", "lin", "luo", "gao"];
    private static readonly string[] Tags = ["战略客户", "重点跟进", "老客户", "渠道伙伴", "展会线索", "政府采购", "出口业务", "续约中", "高潜力", "价格敏感"];
    private static readonly string[] Channels = ["官网", "展会", "电话营销", "客户推荐", "渠道代理", "百度推广", "微信公众号"];
    private static readonly string[] Tiers = ["A", "B", "C", "VIP"];
    private static readonly string[] Relationships = ["Basic", "Passive", "Responsible", "Proactive", "Partner"];
    private static readonly string[] Stages = ["Potential", "Development", "Growth", "Maturity", "Decline", "Termination"];
    private static readonly string[] Ratings = ["AAA", "AA", "A", "BBB", "BB"];
    private static readonly string[] LandlinePrefixes = ["2878", "8888", "6655", "3321", "5100"];

    private const string CreditCodeChars = "0123456789ABCDEFGHJKLMNPQRTUWXY";

    /// <summary>The province the list scenario filters on: the biggest one in the generated data.</summary>
    public const string ListProvince = "广东省";

    /// <summary>Search terms that the generated names, emails and phones are known to contain.</summary>
    public static readonly string TwoCharacterTerm = "华信";

    public static readonly string ChineseTerm = "华信科技";

    public static readonly string LatinTerm = "huaxin";

    public static readonly string PhoneTerm = "0755-2878";

    public static async Task<SeededData> SeedAsync(NpgsqlDataSource db, int customers, int users, int seed, CancellationToken ct)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        var random = new Random(seed);
        var epoch = new DateTimeOffset(2023, 1, 1, 0, 0, 0, TimeSpan.Zero);
        await using var connection = await db.OpenConnectionAsync(ct);

        // 公司 → 部门 → 小组: one company, three departments, four groups each.
        var teams = new List<(Guid Id, string Name, string Kind, Guid? Parent)>();
        var company = (Id: Uuid(random, epoch), Name: "基准测试科技有限公司", Kind: "Company", Parent: (Guid?)null);
        teams.Add(company);
        var groups = new List<Guid>();
        foreach (var department in new[] { "华南销售部", "华东销售部", "华北销售部" })
        {
            var departmentId = Uuid(random, epoch);
            teams.Add((departmentId, department, "Department", company.Id));
            for (var g = 1; g <= 4; g++)
            {
                var groupId = Uuid(random, epoch);
                teams.Add((groupId, $"{department[..2]}{g}组", "Group", departmentId));
                groups.Add(groupId);
            }
        }

        await using (var import = await connection.BeginBinaryImportAsync(
            "COPY identity.teams (id, name, kind, parent_id, created_at) FROM STDIN (FORMAT BINARY)", ct))
        {
            foreach (var team in teams)
            {
                await import.StartRowAsync(ct);
                await import.WriteAsync(team.Id, NpgsqlDbType.Uuid, ct);
                await import.WriteAsync(team.Name, NpgsqlDbType.Varchar, ct);
                await import.WriteAsync(team.Kind, NpgsqlDbType.Varchar, ct);
                await WriteNullableAsync(import, team.Parent, NpgsqlDbType.Uuid, ct);
                await import.WriteAsync(epoch, NpgsqlDbType.TimestampTz, ct);
            }

            await import.CompleteAsync(ct);
        }

        var owners = new (Guid Id, Guid Team)[users];
        await using (var import = await connection.BeginBinaryImportAsync(
            "COPY identity.users (id, email, normalized_email, name, phone, active, team_id, roles, security_stamp, failed_login_count, created_at, updated_at) FROM STDIN (FORMAT BINARY)", ct))
        {
            for (var u = 0; u < users; u++)
            {
                var team = groups[u % groups.Count];
                owners[u] = (Uuid(random, epoch), team);
                var surname = random.Next(Surnames.Length);
                var email = string.Create(CultureInfo.InvariantCulture, $"{SurnamePinyin[surname]}.{u:D4}@bench.local");
                await import.StartRowAsync(ct);
                await import.WriteAsync(owners[u].Id, NpgsqlDbType.Uuid, ct);
                await import.WriteAsync(email, NpgsqlDbType.Varchar, ct);
                await import.WriteAsync(email, NpgsqlDbType.Varchar, ct);
                await import.WriteAsync(Surnames[surname] + NameChars[random.Next(NameChars.Length)].Hanzi + "销售", NpgsqlDbType.Varchar, ct);
                await import.WriteAsync(Mobile(random), NpgsqlDbType.Varchar, ct);
                await import.WriteAsync(true, NpgsqlDbType.Boolean, ct);
                await import.WriteAsync(team, NpgsqlDbType.Uuid, ct);
                await import.WriteAsync(new[] { u % 12 == 0 ? "salesManager" : "salesRep" }, NpgsqlDbType.Array | NpgsqlDbType.Text, ct);
                await import.WriteAsync(Uuid(random, epoch).ToString("N"), NpgsqlDbType.Varchar, ct);
                await import.WriteAsync(0, NpgsqlDbType.Integer, ct);
                await import.WriteAsync(epoch, NpgsqlDbType.TimestampTz, ct);
                await import.WriteAsync(epoch, NpgsqlDbType.TimestampTz, ct);
            }

            await import.CompleteAsync(ct);
        }

        await using (var import = await connection.BeginBinaryImportAsync(
            """
            COPY customers.customers (id, kind, external_id, name, short_name, registration_number, industry, source_channel,
              province, city, district, region_code, address, phones, emails, website, tags, tier, relationship_type, lifecycle_stage, status,
              owner_id, team_id, is_key_account, is_potential_key_account, credit_limit, credit_rating, outstanding_balance, currency,
              created_at, updated_at, search_text, name_bigrams, name_key, phone_keys) FROM STDIN (FORMAT BINARY)
            """, ct))
        {
            var span = TimeSpan.FromDays(3 * 365).Ticks / 10;
            for (var i = 0; i < customers; i++)
            {
                var customer = NextCustomer(random, i);
                // Microseconds, as PostgreSQL stores them, so cursors round-trip exactly.
                var createdAt = epoch.AddTicks(random.NextInt64(span) * 10);
                var updatedAt = createdAt.AddTicks(random.NextInt64(TimeSpan.FromDays(90).Ticks / 10) * 10);
                var owner = owners[random.Next(owners.Length)];
                var tags = Tags.Where(_ => random.Next(6) == 0).ToArray();

                await import.StartRowAsync(ct);
                await import.WriteAsync(Uuid(random, createdAt), NpgsqlDbType.Uuid, ct);
                await import.WriteAsync(customer.Kind, NpgsqlDbType.Varchar, ct);
                await WriteNullableAsync(import, random.Next(3) == 0 ? string.Create(CultureInfo.InvariantCulture, $"ERP-{i:D8}") : null, NpgsqlDbType.Varchar, ct);
                await import.WriteAsync(customer.Name, NpgsqlDbType.Varchar, ct);
                await WriteNullableAsync(import, customer.ShortName, NpgsqlDbType.Varchar, ct);
                await import.WriteAsync(customer.RegistrationNumber, NpgsqlDbType.Varchar, ct);
                await WriteNullableAsync(import, customer.Industry, NpgsqlDbType.Varchar, ct);
                await import.WriteAsync(Channels[random.Next(Channels.Length)], NpgsqlDbType.Varchar, ct);
                await import.WriteAsync(customer.Region.Province, NpgsqlDbType.Varchar, ct);
                await import.WriteAsync(customer.Region.City, NpgsqlDbType.Varchar, ct);
                await import.WriteAsync(customer.District, NpgsqlDbType.Varchar, ct);
                await import.WriteAsync(customer.RegionCode, NpgsqlDbType.Varchar, ct);
                await import.WriteAsync(customer.Address, NpgsqlDbType.Varchar, ct);
                await import.WriteAsync(customer.Phones, NpgsqlDbType.Array | NpgsqlDbType.Text, ct);
                await import.WriteAsync(customer.Emails, NpgsqlDbType.Array | NpgsqlDbType.Text, ct);
                await WriteNullableAsync(import, customer.Website, NpgsqlDbType.Varchar, ct);
                await import.WriteAsync(tags, NpgsqlDbType.Array | NpgsqlDbType.Text, ct);
                await import.WriteAsync(Tiers[random.Next(Tiers.Length)], NpgsqlDbType.Varchar, ct);
                await import.WriteAsync(Relationships[random.Next(Relationships.Length)], NpgsqlDbType.Varchar, ct);
                await import.WriteAsync(Stages[random.Next(Stages.Length)], NpgsqlDbType.Varchar, ct);
                await import.WriteAsync(random.Next(50) == 0 ? "Archived" : "Active", NpgsqlDbType.Varchar, ct);
                await import.WriteAsync(owner.Id, NpgsqlDbType.Uuid, ct);
                await import.WriteAsync(owner.Team, NpgsqlDbType.Uuid, ct);
                await import.WriteAsync(random.Next(20) == 0, NpgsqlDbType.Boolean, ct);
                await import.WriteAsync(random.Next(10) == 0, NpgsqlDbType.Boolean, ct);
                await import.WriteAsync(random.Next(1, 500) * 10_000m, NpgsqlDbType.Numeric, ct);
                await import.WriteAsync(Ratings[random.Next(Ratings.Length)], NpgsqlDbType.Varchar, ct);
                await import.WriteAsync(random.Next(0, 100_000) * 1.5m, NpgsqlDbType.Numeric, ct);
                await import.WriteAsync("CNY", NpgsqlDbType.Varchar, ct);
                await import.WriteAsync(createdAt, NpgsqlDbType.TimestampTz, ct);
                await import.WriteAsync(updatedAt, NpgsqlDbType.TimestampTz, ct);
                await import.WriteAsync(CustomerSearch.SearchText(customer.Name, customer.ShortName, null, customer.Phones, customer.Emails), NpgsqlDbType.Text, ct);
                await import.WriteAsync(CustomerSearch.NameBigrams(customer.Name, customer.ShortName), NpgsqlDbType.Array | NpgsqlDbType.Text, ct);
                await import.WriteAsync(CustomerMatchKeys.NameKey(customer.Name), NpgsqlDbType.Varchar, ct);
                await import.WriteAsync(CustomerMatchKeys.PhoneKeys(customer.Phones), NpgsqlDbType.Array | NpgsqlDbType.Text, ct);
            }

            await import.CompleteAsync(ct);
        }

        // The external id is part of search_text: rewrite it for the rows that have one, set-based.
        await using (var fix = new NpgsqlCommand(
            "UPDATE customers.customers SET search_text = search_text || ' ' || lower(external_id) WHERE external_id IS NOT NULL", connection))
        {
            fix.CommandTimeout = 0;
            await fix.ExecuteNonQueryAsync(ct);
        }

        foreach (var table in new[] { "customers.customers", "identity.users", "identity.teams" })
        {
            await using var analyze = new NpgsqlCommand($"VACUUM ANALYZE {table}", connection) { CommandTimeout = 0 };
            await analyze.ExecuteNonQueryAsync(ct);
        }

        return new SeededData(teams.Count, users, customers, started.Elapsed);
    }

    private sealed record GeneratedCustomer(
        string Kind, string Name, string? ShortName, string RegistrationNumber, string? Industry,
        (string Province, string City, string AreaCode, string[] Districts) Region, string District, string Address,
        string[] Phones, string[] Emails, string? Website)
    {
        /// <summary>The GB/T 2260 code the API would store, from the module's own catalog (which also proves the region valid).</summary>
        public string RegionCode => Catalog.Resolve(Region.Province, Region.City, District).Code!;
    }

    private static GeneratedCustomer NextCustomer(Random random, int index)
    {
        // Guangdong gets about a third of the customers, as a big regional customer base would.
        var region = random.Next(3) == 0 ? Regions[random.Next(3)] : Regions[random.Next(Regions.Length)];
        var district = region.Districts[random.Next(region.Districts.Length)];
        var address = string.Create(CultureInfo.InvariantCulture, $"{district}{NameChars[random.Next(NameChars.Length)].Hanzi}{NameChars[random.Next(NameChars.Length)].Hanzi}路{random.Next(1, 999)}号");
        var landline = region.AreaCode + LandlinePrefixes[random.Next(LandlinePrefixes.Length)] + random.Next(0, 10_000).ToString("D4", CultureInfo.InvariantCulture);
        if (random.Next(100) < 15)
        {
            var surname = random.Next(Surnames.Length);
            var given = NameChars[random.Next(NameChars.Length)];
            var latin = random.Next(5) == 0;
            var name = latin
                ? string.Create(CultureInfo.InvariantCulture, $"{Capitalize(given.Pinyin)} {Capitalize(SurnamePinyin[surname])}")
                : Surnames[surname] + given.Hanzi + NameChars[random.Next(NameChars.Length)].Hanzi;
            var email = string.Create(CultureInfo.InvariantCulture, $"{SurnamePinyin[surname]}{given.Pinyin}{index % 1000}@{(random.Next(2) == 0 ? "qq.com" : "163.com")}");
            return new GeneratedCustomer("Individual", name, null, IdNumber(region.AreaCode, index), null, region, district, address,
                [CustomerSearch.NormalizePhone(Mobile(random))], [email], null);
        }

        var first = NameChars[random.Next(NameChars.Length)];
        var second = NameChars[random.Next(NameChars.Length)];
        var trade = Trades[random.Next(Trades.Length)];
        var brand = first.Hanzi + second.Hanzi;
        var brandPinyin = first.Pinyin + second.Pinyin;
        var cityShort = region.City.TrimEnd('市');
        var english = random.Next(10) == 0;
        var orgName = english
            ? string.Create(CultureInfo.InvariantCulture, $"{Capitalize(brandPinyin)} {trade.English} Co., Ltd.")
            : cityShort + brand + trade.Hanzi + Suffixes[random.Next(Suffixes.Length)];
        string[] phones = random.Next(2) == 0
            ? [CustomerSearch.NormalizePhone(landline)]
            : [CustomerSearch.NormalizePhone(landline), CustomerSearch.NormalizePhone(Mobile(random))];
        return new GeneratedCustomer("Organization", orgName, english ? null : brand, CreditCode(region.AreaCode, index), trade.Industry,
            region, district, address, phones, [$"sales@{brandPinyin}{index % 97}.com.cn"], $"https://www.{brandPinyin}.com.cn");
    }

    /// <summary>A GB 32100-2015 unified social credit code, unique per index, with its check character.</summary>
    private static string CreditCode(string areaCode, int index)
    {
        var body = "91" + areaCode.PadRight(6, '0')[..6] + index.ToString("D9", CultureInfo.InvariantCulture);
        int[] weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
        var sum = body.Select((c, i) => CreditCodeChars.IndexOf(c, StringComparison.Ordinal) * weights[i]).Sum();
        return body + CreditCodeChars[(31 - (sum % 31)) % 31];
    }

    /// <summary>An 18-digit resident id number (region, birth date, sequence, ISO 7064 MOD 11-2 check), unique per index.</summary>
    private static string IdNumber(string areaCode, int index)
    {
        var birth = new DateOnly(1960, 1, 1).AddDays(index / 1000 % 15_000);
        var body = areaCode.PadRight(6, '0')[..6] + birth.ToString("yyyyMMdd", CultureInfo.InvariantCulture) + (index % 1000).ToString("D3", CultureInfo.InvariantCulture);
        int[] weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
        var sum = body.Select((c, i) => (c - '0') * weights[i]).Sum();
        return body + "10X98765432"[sum % 11];
    }

    private static string Mobile(Random random) =>
        string.Create(CultureInfo.InvariantCulture, $"1{random.Next(3, 10)}{random.Next(0, 1_000_000_000):D9}");

    private static string Capitalize(string text) => char.ToUpperInvariant(text[0]) + text[1..];

    /// <summary>A UUID v7 for the given time with seeded random bits (Guid.CreateVersion7 is not reproducible).</summary>
    private static Guid Uuid(Random random, DateTimeOffset time)
    {
        Span<byte> bytes = stackalloc byte[16];
        random.NextBytes(bytes);
        var milliseconds = time.ToUnixTimeMilliseconds();
        Span<byte> stamp = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(stamp, milliseconds);
        stamp[2..].CopyTo(bytes);
        bytes[6] = (byte)(0x70 | (bytes[6] & 0x0F));
        bytes[8] = (byte)(0x80 | (bytes[8] & 0x3F));
        return new Guid(bytes, bigEndian: true);
    }

    private static async Task WriteNullableAsync<T>(NpgsqlBinaryImporter import, T? value, NpgsqlDbType type, CancellationToken ct)
    {
        if (value is null)
        {
            await import.WriteNullAsync(ct);
        }
        else
        {
            await import.WriteAsync(value, type, ct);
        }
    }
}
