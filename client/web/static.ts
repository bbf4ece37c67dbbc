/** The one stylesheet: readable on a phone first, tables scroll sideways, status colours. */
export const CSS = `
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2733;background:#f4f6f8}
header{display:flex;flex-wrap:wrap;gap:.5rem;justify-content:space-between;align-items:center;padding:.6rem 1rem;background:#0b4f8a;color:#fff}
header a{color:#fff}.brand{font-weight:600;text-decoration:none}
nav{display:flex;flex-wrap:wrap;gap:.6rem;align-items:center;font-size:.9rem}
main{max-width:72rem;margin:0 auto;padding:1rem}
h1{font-size:1.4rem;margin:.4rem 0 1rem}h2{font-size:1.1rem;margin:0 0 .6rem}
.card{background:#fff;border-radius:8px;padding:1rem;margin:0 0 1rem;box-shadow:0 1px 2px rgba(0,0,0,.08)}
label{display:block;margin:.4rem 0}input,textarea,select{font:inherit;width:100%;max-width:32rem;padding:.45rem;border:1px solid #aab4bf;border-radius:6px}
input[type=checkbox]{width:auto}
button{font:inherit;padding:.45rem .9rem;border:0;border-radius:6px;background:#0b4f8a;color:#fff;cursor:pointer;margin:.2rem 0}
button.secondary{background:#fff;color:#0b4f8a;border:1px solid #0b4f8a}
.actions{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center}
button.small{padding:.05rem .4rem;font-size:.8rem}
form.inline{display:inline}form.inline input,form.inline select{width:auto}
form.stack input{width:8rem;display:inline-block}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.3rem 1rem;margin:0}dt{font-weight:600}dd{margin:0}
table{border-collapse:collapse;width:100%;font-size:.92rem}th,td{padding:.35rem .5rem;border-bottom:1px solid #e1e6eb;text-align:left;vertical-align:top}
td.num{text-align:right;white-space:nowrap}
.scroll{overflow-x:auto}.matrix td,.matrix th{white-space:nowrap;font-size:.85rem}.matrix th.round{white-space:normal;min-width:9rem;vertical-align:bottom}.matrix small{font-weight:400;color:#4a5866;font-size:.8em}.matrix tbody th{white-space:normal;min-width:9rem;max-width:16rem}.matrix tbody th small{white-space:nowrap}
.notice{padding:.6rem .8rem;border-radius:6px;background:#e8eef5}.notice.ok{background:#e3f4e6}.notice.error{background:#fbe3e1}
.status{padding:.05rem .4rem;border-radius:4px}
.st-submitted,.st-approved,.st-granted{background:#d7f0dc}.st-late,.st-adjusted{background:#fff0c2}
.st-missing,.st-overdue,.st-refused,.st-returned{background:#f9d2cf}.st-pending{background:#eef1f4}.st-extended{background:#dbe7fb}
.rs-draft{background:#eef1f4}.rs-issued{background:#d7f0dc}.prose{white-space:pre-wrap}ul.items{margin:0;padding:0;list-style:none;text-align:left;white-space:normal}textarea{max-width:48rem}
.chart rect{fill:#0b4f8a}.timeline{padding-left:1.2rem}.timeline time{font-variant-numeric:tabular-nums;color:#4a5866}
@media (max-width:40rem){main{padding:.6rem}dl{grid-template-columns:1fr}h1{font-size:1.2rem}}
`;
