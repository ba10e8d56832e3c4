using Crm.Modules.Customers.Domain;
using Crm.Modules.Integration.Contracts;

namespace Crm.Modules.Customers.Features.Import;

/// <summary>
/// The customer columns of imports and exports: API field names, the Chinese headers other CRMs and Excel sheets
/// use (documented in docs/import-export.md), and Chinese spellings of the enum values.
/// </summary>
internal static class CustomerImportSchema
{
    public const string Code = "code";
    public const string ExternalId = "externalId";
    public const string Kind = "kind";
    public const string Name = "name";
    public const string ShortName = "shortName";
    public const string RegistrationNumber = "registrationNumber";
    public const string Industry = "industry";
    public const string SourceChannel = "sourceChannel";
    public const string Province = "province";
    public const string City = "city";
    public const string District = "district";
    public const string Address = "address";
    public const string Phones = "phones";
    public const string Emails = "emails";
    public const string Website = "website";
    public const string Tags = "tags";
    public const string Tier = "tier";
    public const string RelationshipType = "relationshipType";
    public const string LifecycleStage = "lifecycleStage";
    public const string IsKeyAccount = "isKeyAccount";
    public const string IsPotentialKeyAccount = "isPotentialKeyAccount";
    public const string CreditLimit = "creditLimit";
    public const string CreditRating = "creditRating";
    public const string OutstandingBalance = "outstandingBalance";
    public const string OwnerEmail = "ownerEmail";
    public const string ConfirmDuplicate = "confirmDuplicate";

    public static ImportSchema Schema { get; } = new(
        [
            Code, ExternalId, Kind, Name, ShortName, RegistrationNumber, Industry, SourceChannel, Province, City, District, Address,
            Phones, Emails, Website, Tags, Tier, RelationshipType, LifecycleStage, IsKeyAccount, IsPotentialKeyAccount,
            CreditLimit, CreditRating, OutstandingBalance, OwnerEmail, ConfirmDuplicate,
        ],
        new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["客户编号"] = Code, ["客户编码"] = Code, ["编号"] = Code,
            ["外部编号"] = ExternalId, ["外部ID"] = ExternalId, ["ERP编号"] = ExternalId,
            ["客户类型"] = Kind, ["类型"] = Kind,
            ["客户名称"] = Name, ["公司名称"] = Name, ["企业名称"] = Name, ["名称"] = Name,
            ["简称"] = ShortName, ["客户简称"] = ShortName,
            ["统一社会信用代码"] = RegistrationNumber, ["信用代码"] = RegistrationNumber, ["身份证号"] = RegistrationNumber,
            ["证件号码"] = RegistrationNumber, ["creditCode"] = RegistrationNumber,
            ["行业"] = Industry, ["所属行业"] = Industry,
            ["来源"] = SourceChannel, ["客户来源"] = SourceChannel, ["来源渠道"] = SourceChannel,
            ["省份"] = Province, ["省"] = Province,
            ["城市"] = City, ["市"] = City,
            ["区县"] = District, ["区/县"] = District, ["区"] = District,
            ["地址"] = Address, ["详细地址"] = Address,
            ["电话"] = Phones, ["手机"] = Phones, ["手机号"] = Phones, ["联系电话"] = Phones, ["phone"] = Phones, ["mobile"] = Phones,
            ["邮箱"] = Emails, ["电子邮箱"] = Emails, ["email"] = Emails,
            ["网址"] = Website, ["网站"] = Website,
            ["标签"] = Tags,
            ["客户等级"] = Tier, ["客户级别"] = Tier, ["等级"] = Tier,
            ["关系类型"] = RelationshipType,
            ["生命周期"] = LifecycleStage, ["客户阶段"] = LifecycleStage, ["阶段"] = LifecycleStage,
            ["大客户"] = IsKeyAccount, ["是否大客户"] = IsKeyAccount,
            ["潜在大客户"] = IsPotentialKeyAccount,
            ["信用额度"] = CreditLimit,
            ["信用等级"] = CreditRating,
            ["欠款"] = OutstandingBalance, ["应收余额"] = OutstandingBalance,
            ["确认重复"] = ConfirmDuplicate,
            ["负责人"] = OwnerEmail, ["负责人邮箱"] = OwnerEmail, ["客户经理"] = OwnerEmail, ["owner"] = OwnerEmail,
        },
        ["id", "status", "ownerId", "teamId", "currency", "createdAt", "updatedAt", "archivedAt", "lastFollowUpAt", "nextFollowUpAt"],
        [ExternalId, Code, RegistrationNumber, Emails, Phones],
        [Phones, Emails, Tags]);

    public static IReadOnlyDictionary<string, CustomerKind> KindNames { get; } = new Dictionary<string, CustomerKind>(StringComparer.Ordinal)
    {
        ["企业"] = CustomerKind.Organization, ["公司"] = CustomerKind.Organization, ["组织"] = CustomerKind.Organization,
        ["个人"] = CustomerKind.Individual,
    };

    public static IReadOnlyDictionary<string, Domain.RelationshipType> RelationshipNames { get; } = new Dictionary<string, Domain.RelationshipType>(StringComparer.Ordinal)
    {
        ["基本型"] = Domain.RelationshipType.Basic, ["被动型"] = Domain.RelationshipType.Passive, ["负责型"] = Domain.RelationshipType.Responsible,
        ["能动型"] = Domain.RelationshipType.Proactive, ["伙伴型"] = Domain.RelationshipType.Partner,
    };

    public static IReadOnlyDictionary<string, Domain.LifecycleStage> StageNames { get; } = new Dictionary<string, Domain.LifecycleStage>(StringComparer.Ordinal)
    {
        ["潜在客户期"] = Domain.LifecycleStage.Potential, ["潜在"] = Domain.LifecycleStage.Potential,
        ["开发期"] = Domain.LifecycleStage.Development, ["成长期"] = Domain.LifecycleStage.Growth, ["成熟期"] = Domain.LifecycleStage.Maturity,
        ["衰退期"] = Domain.LifecycleStage.Decline, ["终止期"] = Domain.LifecycleStage.Termination,
    };
}
