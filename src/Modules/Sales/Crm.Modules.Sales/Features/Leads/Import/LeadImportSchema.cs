using Crm.Modules.Integration.Contracts;

namespace Crm.Modules.Sales.Features.Leads.Import;

/// <summary>
/// The lead columns of <c>POST /api/v1/imports/leads</c>: API field names, the Chinese headers web-form exports and
/// Excel sheets use, and the match keys (a lead's natural keys: its email, else its phone).
/// </summary>
internal static class LeadImportSchema
{
    public const string CompanyName = "companyName";
    public const string PersonName = "personName";
    public const string Title = "title";
    public const string Source = "source";
    public const string CampaignId = "campaignId";
    public const string Phones = "phones";
    public const string Emails = "emails";
    public const string Province = "province";
    public const string City = "city";
    public const string Industry = "industry";
    public const string EstimatedValue = "estimatedValue";
    public const string Currency = "currency";
    public const string Score = "score";
    public const string Notes = "notes";
    public const string PartnerName = "partnerName";
    public const string OwnerEmail = "ownerEmail";

    public static ImportSchema Schema { get; } = new(
        [
            CompanyName, PersonName, Title, Source, CampaignId, Phones, Emails, Province, City, Industry, EstimatedValue, Currency, Score,
            Notes, PartnerName, OwnerEmail,
        ],
        new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["公司名称"] = CompanyName, ["公司"] = CompanyName, ["企业名称"] = CompanyName, ["单位"] = CompanyName,
            ["姓名"] = PersonName, ["联系人"] = PersonName, ["联系人姓名"] = PersonName,
            ["职务"] = Title, ["职位"] = Title,
            ["来源"] = Source, ["线索来源"] = Source,
            ["活动"] = CampaignId, ["市场活动"] = CampaignId,
            ["电话"] = Phones, ["手机"] = Phones, ["手机号"] = Phones, ["联系电话"] = Phones, ["phone"] = Phones, ["mobile"] = Phones,
            ["邮箱"] = Emails, ["电子邮箱"] = Emails, ["email"] = Emails,
            ["省份"] = Province, ["省"] = Province,
            ["城市"] = City, ["市"] = City,
            ["行业"] = Industry, ["所属行业"] = Industry,
            ["预计金额"] = EstimatedValue, ["预估金额"] = EstimatedValue,
            ["币种"] = Currency,
            ["评分"] = Score, ["分数"] = Score,
            ["备注"] = Notes,
            ["代理商"] = PartnerName, ["合作伙伴"] = PartnerName, ["渠道商"] = PartnerName, ["partner"] = PartnerName,
            ["负责人"] = OwnerEmail, ["负责人邮箱"] = OwnerEmail, ["owner"] = OwnerEmail,
        },
        [
            "id", "status", "disqualificationReason", "ownerId", "teamId", "partnerId", "lastFollowUpAt", "qualifiedAt", "disqualifiedAt",
            "convertedCustomerId", "convertedContactId", "convertedOpportunityId", "convertedAt", "createdAt", "updatedAt",
        ],
        [Emails, Phones],
        [Phones, Emails]);
}
