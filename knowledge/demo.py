"""A starter knowledge base for the demo (`manage.py seed_demo`): articles, cases,
answer wordings and notices a telecom operator's service centre would keep.

Written through the services, so every article has its versions, events and
history: the writer submits, a reviewer publishes. Idempotent: an article whose
title exists is left alone.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.utils import timezone

from knowledge import services
from knowledge.choices import ArticleKind, Audience
from knowledge.models import Article
from staffing.models import User
from worktickets.models import InquiryCategory

A, C, W, N = ArticleKind.ARTICLE, ArticleKind.CASE, ArticleKind.ANSWER, ArticleKind.NOTICE


@dataclass(frozen=True)
class DemoArticle:
    kind: str
    category: str  # an inquiry category code
    title: str
    tags: tuple[str, ...]
    body: str
    wording: str = ""
    writer: str = "lead"
    readers: tuple[str, ...] = ()  # roles; empty: every agent
    state: str = "published"  # or draft, review, retired, overdue (published, review late)


ARTICLES: tuple[DemoArticle, ...] = (
    # ---------------------------------------------------------------- broadband
    DemoArticle(
        W,
        "technical_broadband",
        "如何办理宽带故障报修",
        ("宽带", "报修", "故障"),
        """## 受理要点
1. 核实机主身份（服务密码或身份证后四位）和宽带账号。
2. 请客户先查看光猫指示灯：**PON 灯**常亮为正常，**LOS 灯**红色闪烁表示光纤信号中断。
3. 引导客户重启光猫和路由器（断电 30 秒后再上电）。
4. 仍无法上网的，登记故障单：故障现象、开始时间、联系电话、方便上门的时段。

## 修复时限
- 城市宽带：24 小时内修复；农村宽带：48 小时内修复。
- 超时未修复的，客户可按投诉处理，按规定给予补偿。
""",
        "您好，已为您登记宽带故障报修，工单号会以短信发送给您。装维人员将在 24 小时内"
        "（农村地区 48 小时内）与您联系上门处理，请保持电话畅通。给您带来不便，敬请谅解。",
        writer="techsupport",
    ),
    DemoArticle(
        A,
        "technical_broadband",
        "光猫指示灯含义与自助排查",
        ("宽带", "光猫", "自助排查"),
        """| 指示灯 | 正常状态 | 异常与处理 |
|---|---|---|
| POWER | 常亮 | 不亮：检查电源适配器和插座 |
| PON | 常亮 | 闪烁：光纤注册中，等待 3 分钟；仍闪烁需报修 |
| LOS | 熄灭 | 红灯闪烁：光纤信号中断，检查尾纤是否弯折，报修 |
| LAN | 闪烁 | 不亮：检查网线是否插紧，换一根网线试试 |

自助排查无效时，按《如何办理宽带故障报修》登记故障单。
""",
        writer="techsupport",
    ),
    DemoArticle(
        A,
        "technical_broadband",
        "宽带网速慢的排查步骤",
        ("宽带", "网速", "测速"),
        """1. 请客户用网线直连电脑测速（官方测速页面），排除 Wi-Fi 干扰。
2. 直连达到签约速率的 80% 以上，属于无线问题：建议路由器放在开阔处，改用 5GHz 频段。
3. 直连也慢：核实是否到期降速、是否有多台设备同时下载。
4. 以上均正常仍慢，登记故障单由装维人员上门测试。

> 千兆宽带需要千兆光猫、千兆路由器和六类网线，任一环节不达标都达不到千兆。
""",
        writer="techsupport",
    ),
    DemoArticle(
        W,
        "technical_broadband",
        "宽带装维上门超时的答复口径",
        ("宽带", "上门", "超时"),
        """装维人员未在约定时段上门时使用。先致歉，再查询工单进度，给出新的上门时间。
不得推诿给第三方施工单位；无法确定时间的，承诺 2 小时内回电。
""",
        "非常抱歉让您久等了。我已经查询到您的工单，并为您催办，装维人员会在今天 18 点前"
        "与您联系确定上门时间。如 2 小时内没有接到电话，我们会主动给您回电。",
    ),
    DemoArticle(
        A,
        "consultation_network",
        "宽带新装办理流程与所需材料",
        ("宽带", "新装", "办理"),
        """**所需材料**：机主有效身份证件；租房用户另需租房合同或房东同意书。

**流程**：资源查询（确认地址是否覆盖）→ 选择套餐 → 签订协议 → 预约上门 → 装机调测。

**时限**：资源具备的，受理后 3 个工作日内完成装机；需要新建线路的，告知客户预计时间并登记。
""",
    ),
    DemoArticle(
        W,
        "consultation_network",
        "宽带移机的答复口径",
        ("宽带", "移机"),
        """客户搬家要求移机时使用。先查询新地址资源，有资源再受理。""",
        "您好，宽带移机需要先确认新地址是否有网络覆盖。请告诉我新地址的详细门牌号，"
        "我为您查询；有覆盖的话，移机手续费按现行标准收取，装维人员会在 3 个工作日内上门。",
    ),
    # ---------------------------------------------------------------- mobile
    DemoArticle(
        A,
        "technical_mobile",
        "手机无信号或信号弱的排查",
        ("手机", "信号", "故障"),
        """1. 确认是个别位置还是大范围：请客户换到窗边或室外再试。
2. 重启手机、开关飞行模式，检查是否误关了移动数据或 5G 开关。
3. 插到另一部手机上试：正常则是终端问题，引导到厂商售后。
4. 同一小区多位客户反映的，查询是否有基站故障通告；没有的，登记网络质量问题，
   由技术支持组派单优化。
""",
        writer="techsupport",
    ),
    DemoArticle(
        C,
        "technical_mobile",
        "案例：小区基站故障导致大面积无信号",
        ("案例", "基站", "群体故障"),
        """**经过**：某晚 20 点起，同一小区 30 分钟内 12 位客户来电反映手机无信号。
首位受理的业务代表逐一登记，没有意识到是群体故障。

**做法（成功）**：班长发现同类来电集中后，立即通知技术支持组确认为基站故障，
发布统一答复口径，后续来电统一告知预计恢复时间，并记录客户号码用于恢复后短信通知。

**经验**：同一区域、同一现象 30 分钟内超过 10 起，按群体故障处理，先报告班长。
""",
        writer="lead",
    ),
    DemoArticle(
        W,
        "technical_mobile",
        "基站故障期间的统一答复口径",
        ("基站", "群体故障", "信号"),
        """群体故障确认后，所有来电统一使用此口径，并记录号码用于恢复通知。""",
        "您好，您所在区域的通信设备正在紧急抢修，预计今晚 23 点前恢复。恢复后我们会短信"
        "通知您。给您带来不便深表歉意，因故障影响的费用将按规定予以减免。",
        writer="techsupport",
    ),
    DemoArticle(
        A,
        "technical_mobile",
        "手机丢失后的停机与补卡",
        ("补卡", "停机", "挂失"),
        """1. **先挂失停机**：核实身份后可电话办理临时停机，避免被盗用。
2. **补卡**：机主本人携带身份证到营业厅办理，补卡后原卡失效。
3. 预付费客户补卡后余额保留；后付费客户账单照常。
4. 找回手机的，可凭身份验证办理复机。
""",
    ),
    # ---------------------------------------------------------------- fixed line and data card
    DemoArticle(
        A,
        "technical_fixed",
        "固话无拨号音的处理",
        ("固话", "故障"),
        """请客户检查话机电源、电话线是否插好，换一部话机试。仍无拨号音的，查询是否欠费停机；
未欠费的登记故障单，修复时限 24 小时。
""",
        writer="techsupport",
    ),
    DemoArticle(
        A,
        "technical_data_card",
        "无线上网卡无法连接的处理流程",
        ("上网卡", "USIM", "故障"),
        """1. 确认卡已激活、未欠费，设备识别到 USIM 卡。
2. 重新安装拨号软件或驱动，换一台电脑试。
3. 仍不能用的，请客户到营业厅检测：终端故障送厂商检测，卡故障由营业厅补卡。
4. 以上均正常仍无法使用的，提交工单由技术支持组核查局数据。
""",
        writer="techsupport",
    ),
    # ---------------------------------------------------------------- packages and tariffs
    DemoArticle(
        A,
        "consultation_packages",
        "套餐变更规则",
        ("套餐", "变更", "资费"),
        """- 套餐变更**次月生效**，当月仍按原套餐计费。
- 合约期内的套餐只能升档，不能降档；合约到期后可任意变更。
- 融合套餐（含宽带）变更需确认宽带速率是否随之变化。
- 变更前告知客户新套餐的月费、包含内容和超出资费，并取得客户确认。
""",
        writer="legal",
    ),
    DemoArticle(
        W,
        "consultation_packages",
        "套餐降档被拒的答复口径",
        ("套餐", "降档", "合约"),
        """合约期内客户要求降档时使用。说明原因，给出合约到期日和可选方案。""",
        "您好，您目前办理的是合约套餐，合约期内只能升档不能降档，合约将于到期日后自动"
        "解除限制，届时您可以选择任意套餐。如果您觉得流量用不完，我可以为您介绍流量共享到"
        "家人号码的办法。",
        writer="legal",
    ),
    DemoArticle(
        A,
        "consultation_packages",
        "家庭融合套餐介绍",
        ("套餐", "家庭", "融合"),
        """家庭融合套餐包含 1 条宽带、1 个主号和最多 4 个副卡，流量和通话分钟数全家共享。

**适合**：家庭多人使用手机并需要宽带的客户。
**注意**：副卡须为同一客户名下或经机主同意添加；主号销户前须先拆除副卡。
""",
    ),
    DemoArticle(
        A,
        "query_tariff",
        "话费账单各项费用说明",
        ("账单", "话费", "资费"),
        """| 项目 | 含义 |
|---|---|
| 套餐月费 | 套餐固定月租，按月收取 |
| 套餐外语音 | 超出套餐分钟数的通话费 |
| 套餐外流量 | 超出套餐流量后的费用，超出部分按日封顶 |
| 增值业务费 | 彩铃、视频会员等订购业务 |
| 代收费 | 第三方业务费用，客户可要求核查订购记录 |
""",
        writer="legal",
    ),
    DemoArticle(
        W,
        "query_tariff",
        "账单有疑问时的答复口径",
        ("账单", "话费", "退费"),
        """客户对账单金额有疑问时，先逐项核对；确属我方错误的，按流程办理退费。""",
        "您好，我已为您逐项核对本月账单。对您有疑问的费用，我会提交核查，3 个工作日内给您"
        "答复；如确属计费错误，多收的费用将全额退还到您的话费账户。",
        writer="legal",
    ),
    DemoArticle(
        A,
        "query_package_usage",
        "查询套餐余量的途径",
        ("查询", "流量", "余量"),
        """客户可通过以下方式自助查询：
- 发送短信 **CXLL** 到 10000 号查询流量余量；
- 手机营业厅 App 首页「套餐余量」；
- 拨打 10000 号按语音提示查询。

业务代表查询后，只告知客户本人号码的使用情况。
""",
    ),
    DemoArticle(
        A,
        "consultation_basic",
        "国际漫游开通与资费",
        ("国际漫游", "出国", "资费"),
        """- 后付费客户可直接开通；预付费客户需预存足额话费。
- 出国前开通，建议购买目的地流量包，比标准资费便宜。
- 在境外接听电话也收费，提醒客户关闭不需要的自动更新。
- 客户在境外遇到问题，可拨打 +86 10000 免费求助。
""",
    ),
    DemoArticle(
        W,
        "consultation_basic",
        "国际漫游资费的答复口径",
        ("国际漫游", "资费"),
        """客户咨询出国如何使用手机时使用。""",
        "您好，您的号码已可使用国际漫游。出国前建议订购目的地流量包，比按量计费更划算。"
        "在境外遇到问题，可拨打 +86 10000 免费求助。请问您要去哪个国家或地区？我为您查一下"
        "对应的流量包。",
    ),
    DemoArticle(
        A,
        "consultation_value_added",
        "增值业务的查询与退订",
        ("增值业务", "退订", "扣费"),
        """客户反映不知情扣费时：
1. 查询订购记录（订购时间、渠道、业务名称）。
2. 可当场为客户退订，次月起不再收费。
3. 客户否认订购且无有效订购凭证的，按「先退费后核查」办理。
""",
        writer="legal",
    ),
    DemoArticle(
        W,
        "consultation_value_added",
        "不知情扣费的答复口径",
        ("增值业务", "扣费", "退费"),
        """客户称未订购却被扣费时使用。先退订，再核查，不与客户争辩。""",
        "您好，我已为您退订该业务，下个月起不会再收费。对于已经扣除的费用，我已提交核查，"
        "如无法提供您的订购凭证，费用将在 3 个工作日内退还到您的话费账户。",
        writer="legal",
    ),
    DemoArticle(
        A,
        "consultation_cloud",
        "云盘业务介绍与开通",
        ("云服务", "云盘"),
        """个人云盘提供照片和通讯录自动备份，基础版免费 10GB，可按月订购扩容。
开通：手机营业厅 App「云服务」栏目。退订后数据保留 30 天，请提醒客户及时下载。
""",
    ),
    DemoArticle(
        A,
        "consultation_promotions",
        "积分兑换规则",
        ("积分", "兑换", "优惠"),
        """- 每消费 1 元累计 1 积分，积分有效期至次年年底。
- 可兑换话费、流量包和合作商户礼品，兑换后不退不换。
- 欠费状态下不能兑换；积分不能转让给他人。
""",
    ),
    DemoArticle(
        W,
        "consultation_promotions",
        "积分即将清零的答复口径",
        ("积分", "清零"),
        """客户咨询积分过期时使用。""",
        "您好，您的积分有效期到今年年底，过期后会自动清零。您可以在手机营业厅 App 的"
        "「积分商城」兑换话费或流量包，需要我现在帮您看看可兑换的项目吗？",
    ),
    # ---------------------------------------------------------------- queries and status
    DemoArticle(
        A,
        "query_business_status",
        "业务办理进度查询",
        ("查询", "进度", "业务办理"),
        """在工单系统按客户号码查询最近的业务单，告知当前环节（受理、审核、审批、交付）
和预计完成时间。超过承诺时限的，向处理岗位催办并告知客户。
""",
    ),
    DemoArticle(
        A,
        "system_fault_wrong_info",
        "客户看到的信息与系统不一致时",
        ("系统", "数据不一致"),
        """客户在 App 看到的余额、积分或套餐与业务代表查询结果不一致时：
以计费系统为准告知客户；截图记录 App 显示内容，提交系统故障工单由技术支持核查。
""",
        writer="techsupport",
    ),
    # ---------------------------------------------------------------- system faults
    DemoArticle(
        A,
        "system_fault_app",
        "手机营业厅 App 无法登录",
        ("App", "登录", "故障"),
        """1. 请客户升级到最新版本，清除缓存后重试。
2. 检查是否连续输错密码被锁定（30 分钟后自动解锁，或重置服务密码）。
3. 多位客户同时反映的，属于系统故障：立即报告班长，5 分钟内提交系统故障工单。
""",
        "您好，手机营业厅目前可能有临时故障，技术人员正在处理。您可以先通过 10000 号或"
        "短信办理业务，恢复后我们会短信通知您。",
        writer="techsupport",
    ),
    DemoArticle(
        A,
        "system_fault_web",
        "网上营业厅支付失败的处理",
        ("网上营业厅", "支付", "缴费"),
        """支付失败但银行已扣款的，多数在 24 小时内自动退回或到账。请客户提供支付时间和
订单号，查询缴费记录；24 小时后仍未到账或未退款的，提交工单核查。
""",
    ),
    # ---------------------------------------------------------------- after sales
    DemoArticle(
        A,
        "after_sales_returns",
        "终端退换货规则",
        ("退换货", "终端", "售后"),
        """- 自签收之日起 **7 天内**无理由退货（包装完好、不影响二次销售）。
- **15 天内**出现性能故障可换货，需厂商检测报告。
- 合约机退货需同时解除合约，已赠送的话费按比例扣回。
""",
        writer="legal",
    ),
    DemoArticle(
        A,
        "after_sales_delivery",
        "网上订单配送查询",
        ("订单", "配送", "物流"),
        """按订单号查询物流单号和状态。下单后 48 小时未发货的，提交工单催办；
显示已签收但客户未收到的，联系快递核实，3 个工作日内答复客户。
""",
    ),
    DemoArticle(
        A,
        "after_sales_repair",
        "终端保修与送修",
        ("维修", "保修", "终端"),
        """保修期内的终端故障由厂商售后免费维修，营业厅可代为送修，送修周期一般 7–15 天，
期间可借用备用机。人为损坏、进水不在保修范围。
""",
    ),
    DemoArticle(
        A,
        "after_sales_usage",
        "如何设置手机 VoLTE 高清通话",
        ("VoLTE", "使用指导", "手机"),
        """路径一般为：设置 → 移动网络 → 打开「VoLTE 高清通话」。开启后通话接通更快、音质更好，
不额外收费。老旧机型不支持的，建议更换终端。
""",
    ),
    # ---------------------------------------------------------------- feedback
    DemoArticle(
        W,
        "feedback_attitude",
        "客户对服务态度不满时的答复口径",
        ("服务态度", "致歉"),
        """先诚恳致歉，不辩解；记录具体时间、渠道和人员，承诺 24 小时内回复处理结果。""",
        "非常抱歉给您带来了不好的体验，这是我们工作做得不到位。您反映的情况我已经详细记录，"
        "我们会在 24 小时内核实并给您回复处理结果。感谢您的监督。",
    ),
    DemoArticle(
        A,
        "feedback_suggestion",
        "客户建议的登记与反馈",
        ("建议", "意见反馈"),
        """客户的产品或服务建议登记为「意见反馈」工单，写清建议内容和客户是否需要回复。
需要回复的，24 小时内回复受理情况；被采纳的建议，在月度报告中汇总。
""",
    ),
    DemoArticle(
        A,
        "feedback_efficiency",
        "办理时间过长的安抚与催办",
        ("效率", "催办"),
        """先查询业务所处环节和已用时间，向客户说明原因。超出承诺时限的，立即催办处理岗位，
并约定回电时间；不能当场给出结果时，不得让客户反复来电。
""",
    ),
    # ---------------------------------------------------------------- proactive service
    DemoArticle(
        A,
        "proactive_notice",
        "业务变更与终止的提前通知要求",
        ("通知", "变更", "终止"),
        """业务变更、降级或终止前，须**提前**以短信或电话通知客户，说明变更内容、生效时间和
可选替代方案；终止前须有正式通知。合约终止时按约定结清费用。
""",
        writer="legal",
    ),
    DemoArticle(
        W,
        "proactive_renewal",
        "合约到期续约提醒口径",
        ("续约", "合约", "外呼"),
        """外呼提醒合约即将到期时使用。""",
        "您好，这里是客服中心。您的合约将在下个月到期，到期后可以继续使用原套餐，也可以"
        "选择新的优惠方案。需要我为您介绍一下吗？",
    ),
    DemoArticle(
        A,
        "proactive_care",
        "VIP 客户关怀要点",
        ("VIP", "关怀"),
        """- VIP 客户来电优先接入，首次响应时限按更严格的标准执行。
- 节假日和生日发送关怀短信；重大故障时优先通知。
- 钻石及以上客户配备专属客户经理，投诉直接转客户经理跟进。
""",
    ),
    # ---------------------------------------------------------------- complex requests and cases
    DemoArticle(
        A,
        "complex_business",
        "号码过户办理要求",
        ("过户", "业务办理"),
        """过户须原机主和新机主**双方本人**携带身份证到营业厅办理；原号码须结清费用、
无合约限制。过户后积分清零，原套餐可保留或变更。
""",
    ),
    DemoArticle(
        C,
        "complex_cross_team",
        "案例：企业专线中断的跨部门协同",
        ("案例", "企业客户", "专线"),
        """**经过**：某企业客户专线中断，客户经理、技术支持和网络部门各自处理，客户 3 小时内
接到 5 个不同部门的电话，投诉升级。

**教训（失败）**：没有明确牵头人，信息不一致。

**改进**：复杂问题由首问业务代表建单并指定牵头部门，所有进展记录在同一工单，
对客户只由牵头人一个口径答复。
""",
        writer="manager",
    ),
    DemoArticle(
        C,
        "feedback_efficiency",
        "案例：一次解决率从首问负责做起",
        ("案例", "首问负责", "一次解决"),
        """**经过**：客户咨询宽带提速，业务代表查询到地址资源需要技术确认，没有简单转接，
而是建单跟进，当天回电告知结果并办理成功。

**经验（成功）**：首问负责不是“自己办完一切”，而是跟到底：转交后仍关注进度，
按约定时间回复客户。
""",
    ),
    # ---------------------------------------------------------------- restricted
    DemoArticle(
        A,
        "complex_business",
        "大客户资费折扣的审批权限（内部）",
        ("内部", "折扣", "审批"),
        """- 班长：可审批 9 折以内的临时优惠。
- 客服经理：可审批 8 折以内及 500 元以下补偿。
- 超出权限的，报中心主任审批。
不得向客户透露审批权限和折扣底线。
""",
        writer="manager",
        readers=("team_lead", "cs_manager", "centre_director"),
    ),
    DemoArticle(
        W,
        "feedback_attitude",
        "媒体或监管部门介入投诉的内部口径",
        ("内部", "重大投诉", "媒体"),
        """涉及媒体、监管部门的投诉属于重大投诉，立即报告领导小组，由指定人员统一对外答复。
一线人员只使用以下口径，不评论、不承诺。
""",
        "您好，您反映的情况我们已经高度重视，已由专人负责处理，会尽快与您联系。",
        writer="manager",
        readers=("complaint_handler", "team_lead", "cs_manager", "centre_director"),
    ),
    # ---------------------------------------------------------------- notices
    DemoArticle(
        N,
        "consultation_packages",
        "通告：5G 畅享套餐本周起可在线上办理",
        ("通告", "5G", "套餐"),
        """即日起，5G 畅享系列套餐可在手机营业厅 App 和网上营业厅自助办理，次月生效。
客户来电咨询的，引导其自助办理；需要人工办理的照常受理。
""",
        writer="manager",
    ),
    DemoArticle(
        N,
        "consultation_promotions",
        "通告：宽带新装送三个月会员活动",
        ("通告", "宽带", "优惠"),
        """活动期间新装千兆宽带的客户，赠送三个月视频会员，装机完成后 3 个工作日内以短信
发放兑换码。老客户升级千兆同样可参加。活动解释权以正式公告为准。
""",
        writer="legal",
    ),
    DemoArticle(
        N,
        "system_fault_app",
        "通告：手机营业厅本周六凌晨系统升级",
        ("通告", "系统升级", "App"),
        """本周六 00:00–06:00 手机营业厅和网上营业厅停机升级，期间无法登录、缴费和办理业务。
客户来电时告知升级时间，可通过 10000 号缴费。
""",
        writer="techsupport",
    ),
    DemoArticle(
        N,
        "proactive_notice",
        "通告：部分老旧 2G 套餐停止新办",
        ("通告", "套餐", "停办"),
        """即日起部分 2G 老套餐停止新办，已使用的客户不受影响，可继续使用。
客户咨询时推荐同价位的 4G/5G 套餐，不得强制变更。
""",
        writer="legal",
    ),
    DemoArticle(
        N,
        "feedback_efficiency",
        "通告：春节期间值班安排与业务办理",
        ("通告", "节假日", "值班"),
        """春节假期热线和在线客服 7×24 小时服务，营业厅缩短营业时间。
需审批的业务在节后首个工作日处理，受理时告知客户。
""",
        writer="manager",
    ),
    # ---------------------------------------------------------------- other states (editing pages)
    DemoArticle(
        A,
        "consultation_network",
        "千兆宽带升级条件（修订中）",
        ("宽带", "千兆", "升级"),
        """升级千兆须所在小区具备千兆资源，并更换千兆光猫。""",
        state="draft",
    ),
    DemoArticle(
        W,
        "query_tariff",
        "停机保号的答复口径",
        ("停机保号", "资费"),
        """客户出国或长期不用号码时使用。""",
        "您好，停机保号每月收取 5 元保号费，最长可办理 12 个月，期间号码不能使用。"
        "需要恢复时本人携带身份证到营业厅或拨打 10000 号办理复机。",
        writer="legal",
        state="review",
    ),
    DemoArticle(
        A,
        "consultation_packages",
        "旧版校园卡套餐说明",
        ("校园卡", "套餐"),
        """旧版校园卡已下线，由新版青春卡替代。""",
        state="retired",
    ),
    DemoArticle(
        A,
        "technical_fixed",
        "固话来电显示开通",
        ("固话", "来电显示"),
        """来电显示功能按月收费，需要话机支持。开通后次日生效。""",
        state="overdue",
    ),
    DemoArticle(
        A,
        "consultation_basic",
        "短信发送失败的排查",
        ("短信", "故障"),
        """检查短信中心号码是否正确、是否欠费、对方号码是否有效；群发过多可能被系统限制。""",
        writer="techsupport",
        state="overdue",
    ),
)

# Who publishes what a writer submitted: never the writer (four eyes).
REVIEWERS = ("manager", "director")


def _reviewer_for(writer: str) -> str:
    return REVIEWERS[1] if writer == REVIEWERS[0] else REVIEWERS[0]


def seed_knowledge(users: dict[str, User]) -> int:
    """Write, submit and publish the starter articles; returns how many were created."""
    existing = set(Article.objects.values_list("title", flat=True))
    categories = InquiryCategory.objects.in_bulk(field_name="code")
    created = 0
    for demo in ARTICLES:
        if demo.title in existing:
            continue
        _seed_one(demo, users, categories)
        created += 1
    return created


def _seed_one(demo: DemoArticle, users: dict[str, User], categories: dict) -> None:
    writer = users[demo.writer]
    roles = list(Group.objects.filter(name__in=demo.readers))
    article = services.article_create(
        by=writer,
        kind=demo.kind,
        category=categories.get(demo.category),
        title=demo.title,
        body=demo.body,
        wording=demo.wording,
        tags=demo.tags,
        audience=Audience.RESTRICTED if roles else Audience.ALL_AGENTS,
        audience_roles=roles,
        change_note="首次编写",
    )
    if demo.state == "draft":
        return
    version = article.versions.get()
    services.version_submit(version, by=writer)
    if demo.state == "review":
        return
    reviewer = users[_reviewer_for(demo.writer)]
    services.version_publish(version, by=reviewer)
    if demo.state == "retired":
        services.article_retire(article, by=reviewer, reason="已下线，由新产品替代。")
    elif demo.state == "overdue":
        # As if published a quarter ago: its review is due, for the overdue list.
        overdue = timezone.localdate() - datetime.timedelta(days=3)
        article.refresh_from_db()
        article.review_due_on = overdue
        article.save(update_fields=["review_due_on"])
