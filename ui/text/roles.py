"""The strings of the teacher's controls (ui/roles.py), in English and Chinese, merged into ui.i18n.TEXT."""

ROLES_TEXT: dict[str, tuple[str, str]] = {
    "role_teacher": ("You hold the teacher's controls.", "你持有教师控制权。"),
    "role_student": ("Student view: you can draw, correct answers and watch.",
                     "学生视图：你可以写数字、纠正答案、观看训练。"),
    "role_claim": ("I am the teacher", "我是老师"),
    "role_key": ("Teacher key", "教师密钥"),
    "role_key_help": ("The key that `./run.sh --lan` printed beside the teacher link.",
                      "`./run.sh --lan` 在教师链接旁打印的密钥。"),
    "role_bad_key": ("That is not the teacher key: the page stays in student view.",
                     "这不是教师密钥：页面仍是学生视图。"),
    "role_no_key": ("No teacher key is set and the app is open to the network, so nobody holds the teacher's "
                    "controls. Start it with `./run.sh --lan` to get a teacher link.",
                    "没有设置教师密钥，而应用对网络开放，因此没有人持有教师控制权。请用 `./run.sh --lan` "
                    "启动以获得教师链接。"),
    "role_leave": ("Leave the teacher's controls", "退出教师控制"),
    "role_refused": ("Only the teacher can do this: nothing was changed.", "只有老师可以这样做：什么都没有改变。"),
    "role_teacher_only": ("Only the teacher can do this.", "只有老师可以这样做。"),
    "join_show": ("Show how to join", "显示加入方式"),
    "join_title": ("Join the class", "加入课堂"),
    "join_scan": ("Scan the code, or type this address on the school's Wi-Fi:",
                  "扫描二维码，或连上学校的 Wi-Fi 后输入这个地址："),
    "join_local": ("This app is open on this computer only: start it with `./run.sh --lan` so that students "
                   "can join.", "这个应用目前只能在本机打开：请用 `./run.sh --lan` 启动，学生才能加入。"),
}
