using Crm.Modules.Integration.Contracts;

namespace Crm.Modules.Sales.Features.Opportunities.Import;

/// <summary>
/// The opportunity columns of <c>POST /api/v1/imports/opportunities</c>: API field names, the Chinese headers of CRM and
/// Excel exports, and the one match key, the external id. Customers, owners, pipelines and stages are named by their
/// natural keys (code or external id, email, name, code or Chinese name).
/// </summary>
internal static class OpportunityImportSchema
{
    public const string ExternalId = "externalId";
    public const string Name = "name";
    public const string CustomerCode = "customerCode";
    public const string CustomerExternalId = "customerExternalId";
    public const string Pipeline = "pipeline";
    public const string Stage = "stage";
    public const string Amount = "amount";
    public const string Currency = "currency";
    public const string ExpectedCloseDate = "expectedCloseDate";
    public const string OwnerEmail = "ownerEmail";
    public const string Source = "source";
    public const string Description = "description";

    public static ImportSchema Schema { get; } = new(
        [ExternalId, Name, CustomerCode, CustomerExternalId, Pipeline, Stage, Amount, Currency, ExpectedCloseDate, OwnerEmail, Source, Description],
        new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["外部编号"] = ExternalId, ["商机编号"] = ExternalId, ["机会编号"] = ExternalId, ["ERP编号"] = ExternalId,
            ["商机名称"] = Name, ["机会名称"] = Name, ["项目名称"] = Name, ["名称"] = Name,
            ["客户编号"] = CustomerCode, ["客户编码"] = CustomerCode,
            ["客户外部编号"] = CustomerExternalId,
            ["销售流程"] = Pipeline, ["销售渠道"] = Pipeline, ["管道"] = Pipeline,
            ["阶段"] = Stage, ["销售阶段"] = Stage, ["商机阶段"] = Stage, ["stageCode"] = Stage,
            ["金额"] = Amount, ["预计金额"] = Amount, ["商机金额"] = Amount,
            ["币种"] = Currency,
            ["预计成交日期"] = ExpectedCloseDate, ["预计签单日期"] = ExpectedCloseDate, ["预计结单日期"] = ExpectedCloseDate,
            ["负责人"] = OwnerEmail, ["负责人邮箱"] = OwnerEmail, ["owner"] = OwnerEmail,
            ["来源"] = Source, ["商机来源"] = Source,
            ["描述"] = Description, ["备注"] = Description,
        },
        [
            "id", "customerId", "contactId", "leadId", "pipelineId", "stageId", "status", "probability", "ownerId", "teamId", "partnerId",
            "stageEnteredAt", "closedAt", "lostReason", "lostToCompetitorId", "createdAt", "updatedAt",
        ],
        [ExternalId],
        []);
}
